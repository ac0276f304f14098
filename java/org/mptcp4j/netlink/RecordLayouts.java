package org.mptcp4j.netlink;

import java.util.function.Supplier;
import org.mptcp4j.natives.NativeLibrary;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.MptcpException;

/**
 * The Java mirrors of the records the native code writes and reads (include/mptcp4j), checked
 * once against those libmptcp4j.so was compiled with, before a socket of this package or a
 * record is used: a jar and a library of different builds fail there, naming the first entry
 * that differs, rather than misread records later.
 */
public final class RecordLayouts {
    /**
     * A record's layout: the Java mirror's values, the compiled library's, and the names of the
     * entries (sizes, field offsets, constants) in the order of the header's {@code MPTCP4J_*_LAYOUT}.
     */
    record Layout(String what, int[] java, Supplier<int[]> compiled, String... fields) {}

    static final Layout[] LAYOUTS = {
        new Layout("event record", EventRecord.LAYOUT, RecordLayouts::eventRecordLayout,
                "sizeof", "rx_nanos", "attrs", "type", "family", "token", "loc_id", "rem_id", "backup", "error",
                "local_port", "remote_port", "flags", "server_side", "prefix_len", "if_idx", "timeout", "reset_reason",
                "reset_flags", "local_addr", "remote_addr", "MPTCP4J_COUNTER_COUNT", "MPTCP4J_RECORD_EVENTS_LOST",
                "MPTCP4J_RECORD_LOCAL_ADDRESS_ADDED", "MPTCP4J_RECORD_LOCAL_ADDRESS_REMOVED", "MPTCP4J_RECORD_LINK_UP",
                "MPTCP4J_RECORD_LINK_DOWN", "MPTCP4J_RAW_HEADER_SIZE", "MPTCP4J_RAW_EVENTS_LOST"),
        new Layout("command request", CommandRequest.LAYOUT, RecordLayouts::commandRequestLayout,
                "sizeof", "sizeof pm_address", "cmd", "loc_id", "present", "token", "rcv_add_addrs", "subflows", "addr",
                "remote", "event_flags", "pm_address.family", "pm_address.port", "pm_address.id", "pm_address.present",
                "pm_address.flags", "pm_address.if_idx", "pm_address.addr"),
        new Layout("command reply", ReplyRecord.LAYOUT, RecordLayouts::commandReplyLayout,
                "sizeof", "seq", "kind", "present", "text_len", "error", "text_off", "rcv_add_addrs", "subflows", "addr",
                "MPTCP4J_REPLY_CAPACITY", "MPTCP4J_REPLY_TEXT_SIZE"),
        new Layout("diag record", DiagRecord.LAYOUT, RecordLayouts::diagRecordLayout,
                "sizeof", "kind", "state", "family", "local_port", "remote_port", "token", "remote_token", "flags",
                "loc_id", "rem_id", "subflows", "subflows_total", "add_addr_signal", "add_addr_accepted",
                "local_addr_used", "backoff", "retransmits", "rtt_us", "rttvar_us", "rto_us", "total_retrans",
                "snd_cwnd", "lost", "if_index", "rto_timeouts", "bytes_sent", "bytes_received", "bytes_acked",
                "bytes_retrans", "delivery_rate", "cookie", "local_addr", "remote_addr"),
        new Layout("local address", LocalAddressDump.LAYOUT, RecordLayouts::localAddressLayout,
                "sizeof", "family", "prefix_len", "scope", "flags", "if_index", "addr"),
        new Layout("kernel features", KernelFeatureProbe.LAYOUT, RecordLayouts::kernelFeaturesLayout,
                "sizeof", "flags", "do_attrs", "dump_attrs", "MPTCP4J_KERNEL_OPS")
    };

    private static volatile boolean checked;

    private RecordLayouts() {}

    /** Loads the native library and checks the layouts, once; throws MptcpException when one differs. */
    public static void ensureChecked() {
        if (checked) {
            return;
        }
        synchronized (RecordLayouts.class) {
            if (!checked && !Transport.foreign()) { // the layouts are the native library's
                NativeLibrary.ensureLoaded();
                for (Layout layout : LAYOUTS) {
                    check(layout, layout.compiled().get());
                }
                checked = true;
            }
        }
    }

    /** Throws MptcpException naming the first entry where {@code layout}'s Java values and {@code compiled} differ. */
    static void check(Layout layout, int[] compiled) {
        int[] java = layout.java();
        for (int i = 0; i < Math.max(java.length, compiled.length); i++) {
            if (i >= java.length || i >= compiled.length || java[i] != compiled[i]) {
                String field = i < layout.fields().length ? layout.fields()[i] : "entry " + i;
                throw new MptcpException("check " + layout.what() + " layout", 0, field + " is " + entry(java, i)
                        + " in Java, " + entry(compiled, i) + " in libmptcp4j.so: the jar and libmptcp4j.so come"
                        + " from different builds");
            }
        }
    }

    private static String entry(int[] values, int i) {
        return i < values.length ? Integer.toString(values[i]) : "missing";
    }

    static native int[] eventRecordLayout();

    static native int[] commandRequestLayout();

    static native int[] commandReplyLayout();

    static native int[] diagRecordLayout();

    static native int[] localAddressLayout();

    static native int[] kernelFeaturesLayout();
}
