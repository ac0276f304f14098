package org.mptcp4j.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpEventType;

/** {@code mptcp4j monitor}: the namespace's MPTCP events, one line (or JSON object) each, until interrupted. */
final class MonitorCommand {
    private final PrintStream out;
    private final PrintStream err;

    MonitorCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws Exception {
        Arguments a = Arguments.parse("monitor", args, 1, Set.of("netns", "count", "types", "decoding", "dev", "not-dev"),
                Set.of("json", "ip-format", "busy-poll", "timestamp", "loopback", "link-local")).atMostPositional(0);
        long count = a.getInt("count", 0, 0, Integer.MAX_VALUE);
        boolean json = a.has("json");
        boolean ipFormat = a.has("ip-format");
        if (json && ipFormat) {
            throw new UsageException("monitor", "--json and --ip-format exclude each other: mptcp4j's objects or ip's lines");
        }
        EventClock clock = a.has("timestamp") ? new EventClock() : null;
        // ip hears mptcp_pm alone (the types with a filter bit): no local address and link changes unless --types names them.
        MptcpEventType[] types = a.has("types") ? eventTypes(a.get("types", ""))
                : ipFormat ? Arrays.stream(MptcpEventType.values()).filter(t -> t.mask() != 0).toArray(MptcpEventType[]::new)
                : null;
        LocalAddressFilter filter = localAddressFilter(a);
        EventDecoding decoding = decoding(a);
        try (NetworkNamespace ns = Commands.namespace(a)) {
            KernelSupport.requireMptcp(ns);
            AtomicLong seen = new AtomicLong();
            EventLoop[] self = new EventLoop[1];
            EventLoop.Builder builder = EventLoop.builder(event -> {
                // The rest of a batch still arrives after stop(): print no more than asked.
                if (count > 0 && seen.get() >= count) {
                    return;
                }
                String time = clock == null ? null : clock.format(event.receivedNanos());
                String line = ipFormat ? IpMonitorFormat.line(event, index -> interfaceName(ns, index))
                        : json ? EventFormat.json(event) : EventFormat.line(event);
                if (line == null) { // not an event ip prints
                    return;
                }
                if (json) {
                    out.println(time == null ? line : "{\"time\":\"" + time + "\"," + line.substring(1));
                } else {
                    out.println(time == null ? line : time + " " + line);
                }
                out.flush();
                if (count > 0 && seen.incrementAndGet() >= count) {
                    self[0].stop();
                }
            }).namespace(ns).idleStrategy(a.has("busy-poll") ? IdleStrategy.busySpin() : IdleStrategy.blocking())
                    .decoding(decoding);
            if (types != null) {
                builder.eventTypes(types);
            }
            builder.localAddressFilter(filter);
            try (EventLoop loop = builder.build()) {
                self[0] = loop;
                err.println("mptcp4j monitor: listening to the MPTCP events" + (loop.watchesLocalAddresses() ? " and local address changes" : "") + " of " + ns);
                runUntilInterrupted(loop);
            }
        }
        return Commands.OK;
    }

    /** The name of an interface of the namespace, null when it has none by that index or cannot say. */
    private static String interfaceName(NetworkNamespace ns, int index) {
        try {
            return ns.interfaceName(index);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static LocalAddressFilter localAddressFilter(Arguments a) {
        LocalAddressFilter filter = LocalAddressFilter.standard();
        if (a.has("loopback")) {
            filter = filter.withLoopback();
        }
        if (a.has("link-local")) {
            filter = filter.withLinkLocal();
        }
        if (a.has("dev")) {
            filter = filter.allow(interfaceNames(a.get("dev", "")));
        }
        if (a.has("not-dev")) {
            filter = filter.deny(interfaceNames(a.get("not-dev", "")));
        }
        return filter;
    }

    private static List<String> interfaceNames(String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.strip(); // not trim(): a name may hold control characters
            if (n.isEmpty() || n.length() > 15 || n.contains("/") || n.contains(":")) {
                throw new UsageException("monitor", "'" + n + "' is not an interface name");
            }
            names.add(n);
        }
        return names;
    }

    private static EventDecoding decoding(Arguments a) {
        try {
            return EventDecoding.parse(a.get("decoding", "java"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("monitor", "--decoding: " + e.getMessage());
        }
    }

    private static MptcpEventType[] eventTypes(String list) {
        String[] names = list.split(",");
        MptcpEventType[] types = new MptcpEventType[names.length];
        for (int i = 0; i < names.length; i++) {
            try {
                types[i] = MptcpEventType.valueOf(names[i].trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("monitor", "unknown event type '" + names[i].trim() + "' (types: "
                        + Arrays.toString(MptcpEventType.values()) + ")");
            }
        }
        return types;
    }

    /** Runs the loop on this thread; SIGINT / SIGTERM stop it so that everything is closed in order. */
    private static void runUntilInterrupted(EventLoop loop) {
        Thread hook = new Thread(() -> {
            loop.stop();
            try {
                loop.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mptcp4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            loop.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped the loop
            }
        }
    }
}
