package org.mptcp4j.netlink;

import java.util.function.Supplier;
import org.mptcp4j.natives.NativeLibrary;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.MptcpException;

/**
 * The Java mirror of the record the native code writes (include/mptcp4j/event_record.h, by the
 * C event decoder), checked once against the layout libmptcp4j.so was compiled with, before a
 * socket of this package or a record is used: a jar and a library of different builds fail
 * there, naming the first entry that differs, rather than misread records later. The other
 * records (command requests and replies, diag records, local addresses, kernel features) are
 * written and read by Java alone.
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
                "MPTCP4J_RECORD_LINK_DOWN", "MPTCP4J_RAW_HEADER_SIZE", "MPTCP4J_RAW_EVENTS_LOST")
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
}
