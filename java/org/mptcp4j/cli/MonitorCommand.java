package org.mptcp4j.cli;

import java.io.PrintStream;
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
                Set.of("json", "busy-poll", "timestamp", "loopback", "link-local")).atMostPositional(0);
        long count = a.getInt("count", 0, 0, Integer.MAX_VALUE);
        boolean json = a.has("json");
        EventClock clock = a.has("timestamp") ? new EventClock() : null;
        MptcpEventType[] types = a.has("types") ? eventTypes(a.get("types", "")) : null;
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
                if (json) {
                    String object = EventFormat.json(event);
                    out.println(time == null ? object : "{\"time\":\"" + time + "\"," + object.substring(1));
                } else {
                    out.println(time == null ? EventFormat.line(event) : time + " " + EventFormat.line(event));
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
            String n = name.trim();
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
