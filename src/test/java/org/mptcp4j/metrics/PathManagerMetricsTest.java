package org.mptcp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;

/** Counting, gauges, the histogram and their text, without a kernel: events are made here. */
class PathManagerMetricsTest {
    private static final int T1 = 0x1111;
    private static final int T2 = 0x2222;
    private static final int T3 = 0;

    private final PathManagerMetrics metrics = new PathManagerMetrics("ns1");

    /** An event with only what the metrics read: type, token, arrival time. */
    static MptcpEvent event(MptcpEventType type, int token, long receivedNanos) {
        return (MptcpEvent) Proxy.newProxyInstance(MptcpEvent.class.getClassLoader(), new Class<?>[] {MptcpEvent.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "type" -> type;
                    case "token" -> token;
                    case "receivedNanos" -> receivedNanos;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static MptcpEvent event(MptcpEventType type, int token) {
        return event(type, token, System.nanoTime());
    }

    /** A handler that wants {@code types} and does {@code action} with each event. */
    private static EventHandler handler(Set<MptcpEventType> types, Consumer<MptcpEvent> action) {
        return new EventHandler() {
            @Override
            public void onEvent(MptcpEvent event) {
                action.accept(event);
            }

            @Override
            public Set<MptcpEventType> eventTypes() {
                return types;
            }
        };
    }

    private String text() {
        return TextFormat.write(List.of(metrics));
    }

    private List<String> lines() {
        return text().lines().toList();
    }

    @Test
    void anEmptySourceWritesEveryHeaderAndWhatIsKnown() {
        StringBuilder buckets = new StringBuilder();
        for (String le : new String[] {"0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001",
            "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"}) {
            buckets.append("mptcp4j_event_to_command_seconds_bucket{netns=\"ns1\",le=\"").append(le).append("\"} 0\n");
        }
        assertEquals("""
                # HELP mptcp4j_events_total MPTCP events the event loop handled, by type.
                # TYPE mptcp4j_events_total counter
                # HELP mptcp4j_events_lost_total Times the kernel dropped events (ENOBUFS): what was learned from events was stale until a resync.
                # TYPE mptcp4j_events_lost_total counter
                mptcp4j_events_lost_total{netns="ns1"} 0
                # HELP mptcp4j_commands_total Path manager commands by result; errno names the error the command failed with.
                # TYPE mptcp4j_commands_total counter
                # HELP mptcp4j_resyncs_total Times the connections of the namespace were listed again (at start and after lost events).
                # TYPE mptcp4j_resyncs_total counter
                mptcp4j_resyncs_total{netns="ns1"} 0
                # HELP mptcp4j_connections MPTCP connections the path manager knows of.
                # TYPE mptcp4j_connections gauge
                mptcp4j_connections{netns="ns1"} 0
                # HELP mptcp4j_subflows Subflows of the connections the path manager knows of.
                # TYPE mptcp4j_subflows gauge
                mptcp4j_subflows{netns="ns1"} 0
                # HELP mptcp4j_event_to_command_seconds Time from an event's arrival to the kernel's answer to a command issued while handling it.
                # TYPE mptcp4j_event_to_command_seconds histogram
                """ + buckets + """
                mptcp4j_event_to_command_seconds_sum{netns="ns1"} 0
                mptcp4j_event_to_command_seconds_count{netns="ns1"} 0
                """, text());
    }

    @Test
    void eventsAreCountedByTypeAndHandedOnOnlyWhenWanted() {
        List<MptcpEventType> handed = new ArrayList<>();
        EventHandler counting = metrics.counting(handler(EnumSet.of(MptcpEventType.ANNOUNCED), e -> handed.add(e.type())));
        assertEquals(EnumSet.of(MptcpEventType.ANNOUNCED, MptcpEventType.CREATED, MptcpEventType.ESTABLISHED,
                MptcpEventType.CLOSED, MptcpEventType.SUB_ESTABLISHED, MptcpEventType.SUB_CLOSED), counting.eventTypes());
        for (MptcpEventType type : List.of(MptcpEventType.CREATED, MptcpEventType.ANNOUNCED, MptcpEventType.ANNOUNCED,
                MptcpEventType.EVENTS_LOST, MptcpEventType.SUB_ESTABLISHED)) {
            counting.onEvent(event(type, T1));
        }
        assertEquals(List.of(MptcpEventType.ANNOUNCED, MptcpEventType.ANNOUNCED, MptcpEventType.EVENTS_LOST), handed);
        List<String> lines = lines();
        assertTrue(lines.contains("mptcp4j_events_total{netns=\"ns1\",type=\"CREATED\"} 1"), text());
        assertTrue(lines.contains("mptcp4j_events_total{netns=\"ns1\",type=\"ANNOUNCED\"} 2"), text());
        assertTrue(lines.contains("mptcp4j_events_total{netns=\"ns1\",type=\"EVENTS_LOST\"} 1"), text());
        assertTrue(lines.contains("mptcp4j_events_total{netns=\"ns1\",type=\"SUB_ESTABLISHED\"} 1"), text());
        assertTrue(lines.contains("mptcp4j_events_lost_total{netns=\"ns1\"} 1"), text());
        assertEquals(4, lines.stream().filter(l -> l.startsWith("mptcp4j_events_total{")).count(), "types never seen are left out");
        assertEquals(2, metrics.events(MptcpEventType.ANNOUNCED));
        assertEquals(0, metrics.events(MptcpEventType.CLOSED));
    }

    @Test
    void batchEndsAndTheLoopsStartAndEndReachTheHandler() {
        List<String> calls = new ArrayList<>();
        EventHandler counting = metrics.counting(new EventHandler() {
            @Override
            public void onEvent(MptcpEvent event) {
                calls.add("event");
            }

            @Override
            public void onBatchEnd() {
                calls.add("batch end");
            }

            @Override
            public void onLoopStart(EventLoop loop) {
                calls.add("start " + loop);
            }

            @Override
            public void onLoopEnd() {
                calls.add("end");
            }
        });
        counting.onLoopStart(null);
        counting.onEvent(event(MptcpEventType.CREATED, T1));
        counting.onBatchEnd();
        counting.onLoopEnd();
        assertEquals(List.of("start null", "event", "batch end", "end"), calls);
        assertEquals(EnumSet.allOf(MptcpEventType.class), counting.eventTypes());
    }

    @Test
    void commandsAreCountedByCommandResultAndErrnoName() {
        long now = System.nanoTime();
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, now);
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, now);
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, Errno.EINVAL, now);
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, Errno.ENOENT, now);
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, Errno.EINVAL, now);
        metrics.commandDone(PmCommand.ANNOUNCE, Errno.EEXIST, now);
        List<String> commands = lines().stream().filter(l -> l.startsWith("mptcp4j_commands_total{")).toList();
        assertEquals(List.of(
                "mptcp4j_commands_total{netns=\"ns1\",command=\"ANNOUNCE\",result=\"error\",errno=\"EEXIST\"} 1",
                "mptcp4j_commands_total{netns=\"ns1\",command=\"SUBFLOW_CREATE\",result=\"ok\"} 2",
                "mptcp4j_commands_total{netns=\"ns1\",command=\"SUBFLOW_CREATE\",result=\"error\",errno=\"ENOENT\"} 1",
                "mptcp4j_commands_total{netns=\"ns1\",command=\"SUBFLOW_CREATE\",result=\"error\",errno=\"EINVAL\"} 2"),
                commands);
        assertEquals(2, metrics.commands(PmCommand.SUBFLOW_CREATE, 0));
        assertEquals(2, metrics.commands(PmCommand.SUBFLOW_CREATE, Errno.EINVAL));
        assertEquals(0, metrics.commands(PmCommand.ANNOUNCE, 0));
        assertTrue(text().contains("mptcp4j_event_to_command_seconds_count{netns=\"ns1\"} 0\n"),
                "commands outside events are not timed");
    }

    @Test
    void aCommandIssuedWhileAnEventIsHandledIsTimedFromTheEventsArrival() {
        EventHandler counting = metrics.counting(handler(EnumSet.of(MptcpEventType.ESTABLISHED), e -> {
            metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, System.nanoTime());
            // The same command from another thread meanwhile belongs to no event.
            Thread other = new Thread(() -> metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, System.nanoTime()));
            other.start();
            try {
                other.join();
            } catch (InterruptedException interrupted) {
                throw new AssertionError(interrupted);
            }
        }));
        counting.onEvent(event(MptcpEventType.ESTABLISHED, T1, System.nanoTime() - 30_000)); // arrived 30 µs ago
        counting.onEvent(event(MptcpEventType.CREATED, T2)); // not the handler's: no command
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, System.nanoTime()); // after the event

        assertEquals(3, metrics.commands(PmCommand.SUBFLOW_CREATE, 0));
        List<String> lines = lines();
        String prefix = "mptcp4j_event_to_command_seconds";
        assertTrue(lines.contains(prefix + "_bucket{netns=\"ns1\",le=\"0.00001\"} 0"), text());
        assertTrue(lines.contains(prefix + "_bucket{netns=\"ns1\",le=\"0.000025\"} 0"), text());
        assertTrue(lines.contains(prefix + "_bucket{netns=\"ns1\",le=\"+Inf\"} 1"), text());
        assertTrue(lines.contains(prefix + "_count{netns=\"ns1\"} 1"), text());
        BigDecimal sum = new BigDecimal(value(lines, prefix + "_sum{netns=\"ns1\"}"));
        assertTrue(sum.compareTo(new BigDecimal("0.00003")) >= 0, "at least the 30 µs since arrival: " + sum);
        long previous = 0;
        for (String line : lines) {
            if (line.startsWith(prefix + "_bucket")) {
                long cumulative = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                assertTrue(cumulative >= previous, "buckets are cumulative: " + text());
                previous = cumulative;
            }
        }
    }

    private static String value(List<String> lines, String series) {
        return lines.stream().filter(l -> l.startsWith(series + " ")).findFirst().orElseThrow()
                .substring(series.length() + 1);
    }

    @Test
    void gaugesFollowConnectionsAndSubflows() {
        EventHandler counting = metrics.counting(handler(EnumSet.noneOf(MptcpEventType.class), e -> {}));
        counting.onEvent(event(MptcpEventType.CREATED, T1));
        counting.onEvent(event(MptcpEventType.ESTABLISHED, T1)); // the same connection
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T1));
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T1));
        counting.onEvent(event(MptcpEventType.ESTABLISHED, T2)); // a server side: no CREATED before
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T3)); // a connection it never knew
        assertGauges(2, 4);
        counting.onEvent(event(MptcpEventType.SUB_CLOSED, T1));
        assertGauges(2, 3);
        counting.onEvent(event(MptcpEventType.SUB_CLOSED, T2)); // its initial subflow
        counting.onEvent(event(MptcpEventType.SUB_CLOSED, T2)); // a failed join: no lower than 0
        assertGauges(2, 2);
        counting.onEvent(event(MptcpEventType.CLOSED, T1));
        assertGauges(1, 0);
        counting.onEvent(event(MptcpEventType.CLOSED, T2));
        counting.onEvent(event(MptcpEventType.CLOSED, T2));
        assertGauges(0, 0);
    }

    private void assertGauges(long connections, long subflows) {
        assertEquals(connections, metrics.connections(), "connections");
        assertEquals(subflows, metrics.subflows(), "subflows");
        List<String> lines = lines();
        assertTrue(lines.contains("mptcp4j_connections{netns=\"ns1\"} " + connections), text());
        assertTrue(lines.contains("mptcp4j_subflows{netns=\"ns1\"} " + subflows), text());
    }

    @Test
    void aResyncReplacesWhatEventsSaid() {
        EventHandler counting = metrics.counting(handler(EnumSet.noneOf(MptcpEventType.class), e -> {}));
        counting.onEvent(event(MptcpEventType.ESTABLISHED, T1));
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T1));
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T1));
        counting.onEvent(event(MptcpEventType.ESTABLISHED, T2));
        assertGauges(2, 4);
        metrics.resync();
        metrics.connectionDiscovered(T1, 2); // one subflow closed unseen
        metrics.connectionDiscovered(T3, 4); // opened unseen
        metrics.resyncDone(token -> token != T2); // closed unseen
        assertGauges(2, 6);
        assertTrue(lines().contains("mptcp4j_resyncs_total{netns=\"ns1\"} 1"), text());
        counting.onEvent(event(MptcpEventType.SUB_ESTABLISHED, T3));
        counting.onEvent(event(MptcpEventType.CLOSED, T1));
        assertGauges(1, 5);
        assertThrows(IllegalArgumentException.class, () -> metrics.connectionDiscovered(T1, -1));
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        PathManagerMetrics odd = new PathManagerMetrics("a\"b\\c\nd");
        odd.gaugeFunction("mptcp4j_test", "back\\slash\nnew \"line\"", () -> 7);
        List<String> lines = TextFormat.write(List.of(odd)).lines().toList();
        assertTrue(lines.contains("mptcp4j_connections{netns=\"a\\\"b\\\\c\\nd\"} 0"), lines.toString());
        assertTrue(lines.contains("# HELP mptcp4j_test back\\\\slash\\nnew \"line\""), lines.toString());
        assertTrue(lines.contains("# TYPE mptcp4j_test gauge"), lines.toString());
        assertTrue(lines.contains("mptcp4j_test{netns=\"a\\\"b\\\\c\\nd\"} 7"), lines.toString());
    }

    @Test
    void severalSourcesShareEachFamilysHeader() {
        PathManagerMetrics other = new PathManagerMetrics("ns2");
        metrics.counterFunction("mptcp4j_events_malformed_total", "Malformed messages.", () -> 3);
        other.counterFunction("mptcp4j_events_malformed_total", "Malformed messages.", () -> 5);
        other.gaugeFunction("mptcp4j_only_here", "One source's.", () -> 1);
        String text = TextFormat.write(List.of(metrics, other));
        assertTrue(text.contains("""
                # HELP mptcp4j_connections MPTCP connections the path manager knows of.
                # TYPE mptcp4j_connections gauge
                mptcp4j_connections{netns="ns1"} 0
                mptcp4j_connections{netns="ns2"} 0
                """), text);
        assertTrue(text.endsWith("""
                # HELP mptcp4j_events_malformed_total Malformed messages.
                # TYPE mptcp4j_events_malformed_total counter
                mptcp4j_events_malformed_total{netns="ns1"} 3
                mptcp4j_events_malformed_total{netns="ns2"} 5
                # HELP mptcp4j_only_here One source's.
                # TYPE mptcp4j_only_here gauge
                mptcp4j_only_here{netns="ns2"} 1
                """), text);
        for (String line : text.lines().filter(l -> l.startsWith("# TYPE ")).toList()) {
            assertEquals(1, text.lines().filter(line::equals).count(), "once: " + line);
        }
    }

    @Test
    void functionNamesMustBeFreeAndValid() {
        for (String name : List.of("", "1abc", "a-b", "mptcp4j_connections", "mptcp4j_event_to_command_seconds_count")) {
            assertThrows(IllegalArgumentException.class, () -> metrics.counterFunction(name, "help", () -> 0), name);
        }
        assertSame(metrics, metrics.gaugeFunction("mptcp4j_x:y", "help", () -> 0));
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> metrics.counterFunction("mptcp4j_x:y", "help", () -> 0));
        assertTrue(taken.getMessage().contains("already"), taken.getMessage());
        assertTrue(lines().contains("# TYPE mptcp4j_x:y gauge"), "the first registration stays: " + text());
    }
}
