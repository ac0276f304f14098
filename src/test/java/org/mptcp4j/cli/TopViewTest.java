package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;

/** {@code mptcp4j top}'s view of two samples: rates, columns, sorting, the screen's bounds; its refusals. */
class TopViewTest {
    private static final int TOKEN = 0x1c0ffee5;
    private static final int OTHER = 0xabc;
    private static final int BACKUP = 1 << 5;
    private static final int PEER_BACKUP = 1 << 4;
    private static final long SECOND = 1_000_000_000L;

    private static SubflowInfo subflow(int port, int flags, long rttMicros, long acked, long received) {
        return new SubflowInfo(new InetSocketAddress("10.231.1.1", port), new InetSocketAddress("10.231.1.2", 5201), 1, 0, 0,
                0, 0, flags, rttMicros, 200_000, 0, 0, 0, 0, acked, acked, received, 0, 0);
    }

    private static ConnectionInfo connection(int token, SubflowInfo... subflows) {
        return new ConnectionInfo(token, subflows[0].local(), subflows[0].remote(), 1, false, 0, subflows.length - 1, 0, 0, 0,
                0, 0, 0, 0, 0, List.of(subflows));
    }

    private static TopView.Sample sample(long nanos, ConnectionInfo... connections) {
        return new TopView.Sample(nanos, List.of(connections), Map.of(TOKEN, "ndiffports (1 extra subflows per connection)"));
    }

    /** Two samples half a second apart: the first subflow sent 1 MB and received 2 kB, the backup nothing. */
    private static List<TopView.Row> rows() {
        TopView.Sample before = sample(5 * SECOND, connection(TOKEN, subflow(40000, 0, 1500, 10_000, 500),
                subflow(40001, BACKUP, 21_000, 3000, 0)));
        TopView.Sample after = sample(5 * SECOND + SECOND / 2, connection(TOKEN, subflow(40000, 0, 1500, 1_010_000, 2500),
                subflow(40001, BACKUP, 21_000, 3000, 0)), connection(OTHER, subflow(40002, PEER_BACKUP, 300, 77, 0)));
        return TopView.rows(before, after);
    }

    private static List<String> screen(TopView.Column sort, boolean reverse, int width, int height) {
        return TopView.lines("mptcp4j top: network namespace blue", rows(), sort, reverse, width, height);
    }

    @Test
    void ratesAreTheCountersDifferencesOverTheTimeBetweenSamples() {
        List<TopView.Row> rows = rows();
        assertEquals(3, rows.size());
        assertEquals(2_000_000, rows.get(0).sendRate(), "1 MB acknowledged in half a second");
        assertEquals(4000, rows.get(0).receiveRate());
        assertEquals(0, rows.get(1).sendRate());
        assertEquals(-1, rows.get(2).sendRate(), "a subflow seen once has no rate yet");
        assertEquals(-1, TopView.rows(null, sample(SECOND, connection(TOKEN, subflow(40000, 0, 1, 5, 5)))).get(0).sendRate());
        // Counters that went back are another subflow on the same ports, not a negative rate.
        TopView.Sample before = sample(SECOND, connection(TOKEN, subflow(40000, 0, 1, 5000, 5000)));
        TopView.Sample after = sample(2 * SECOND, connection(TOKEN, subflow(40000, 0, 1, 10, 6000)));
        TopView.Row again = TopView.rows(before, after).get(0);
        assertEquals(-1, again.sendRate());
        assertEquals(1000, again.receiveRate());
    }

    @Test
    void theScreenHasTotalsKeysTitlesAndOneRowPerSubflowBusiestFirst() {
        List<String> lines = screen(TopView.Column.SEND, false, 200, 40);
        assertEquals(List.of("mptcp4j top: network namespace blue",
                "2 connections, 3 subflows; sending - B/s, receiving - B/s",
                "sort: SEND/s descending; " + TopView.KEYS,
                "",
                "TOKEN     LOCAL             REMOTE           STATE        BACKUP  RTT ms  SEND/s*  RECV/s  CONTROLLER",
                "1c0ffee5  10.231.1.1:40000  10.231.1.2:5201  established  -         1.50    2.00M   4.00k"
                        + "  ndiffports (1 extra subflows per connection)",
                "1c0ffee5  10.231.1.1:40001  10.231.1.2:5201  established  local    21.00        0       0"
                        + "  ndiffports (1 extra subflows per connection)",
                "00000abc  10.231.1.1:40002  10.231.1.2:5201  established  peer      0.30        -       -  -"),
                lines);
    }

    @Test
    void sortingFollowsTheColumnAndReverses() {
        assertEquals(List.of("40002", "40000", "40001"), ports(screen(TopView.Column.RTT, true, 200, 40)),
                "RTT reversed: the shortest first");
        assertEquals(List.of("40001", "40000", "40002"), ports(screen(TopView.Column.RTT, false, 200, 40)));
        assertEquals(List.of("40002", "40001", "40000"), ports(screen(TopView.Column.SEND, true, 200, 40)),
                "unknown rates last, first once reversed");
        assertEquals(List.of("40002", "40000", "40001"), ports(screen(TopView.Column.TOKEN, false, 200, 40)),
                "tokens ascending, ties by address");
        assertTrue(screen(TopView.Column.TOKEN, true, 200, 40).get(2).startsWith("sort: TOKEN descending; "));
        assertTrue(screen(TopView.Column.TOKEN, false, 200, 40).get(4).startsWith("TOKEN*  "));
        assertEquals(TopView.Column.RECEIVE, TopView.Column.SEND.move(1));
        assertEquals(TopView.Column.TOKEN, TopView.Column.CONTROLLER.move(1), "round the end");
        assertEquals(TopView.Column.CONTROLLER, TopView.Column.TOKEN.move(-1));
        assertEquals(TopView.Column.RECEIVE, TopView.Column.named("recv"));
        assertEquals(TopView.Column.RTT, TopView.Column.named("RTT"));
        assertEquals(null, TopView.Column.named("cpu"));
    }

    private static List<String> ports(List<String> lines) {
        return lines.subList(5, lines.size()).stream().map(l -> l.substring(l.indexOf(':') + 1, l.indexOf(':') + 6)).toList();
    }

    @Test
    void linesAreCutToTheScreen() {
        List<String> lines = screen(TopView.Column.SEND, false, 30, 6);
        assertEquals(6, lines.size(), "rows past the screen's height are left out");
        assertEquals("1c0ffee5  10.231.1.1:40000  10", lines.get(5));
        lines.forEach(l -> assertTrue(l.length() <= 30, l));
        assertEquals(List.of(), screen(TopView.Column.SEND, false, 30, 0));
    }

    @Test
    void ratesReadShortInPowersOfAThousand() {
        assertEquals("-", TopView.rate(-1));
        assertEquals("950", TopView.rate(950));
        assertEquals("1.00k", TopView.rate(1000));
        assertEquals("12.3k", TopView.rate(12_345));
        assertEquals("1.00M", TopView.rate(999_600));
        assertEquals("123M", TopView.rate(123_456_789));
        assertEquals("4.20G", TopView.rate(4_200_000_000L));
    }

    @Test
    void aControllersNameCannotSteerTheTerminal() {
        TopView.Sample s = new TopView.Sample(SECOND, List.of(connection(TOKEN, subflow(40000, 0, 1, 0, 0))),
                Map.of(TOKEN, "evil\033[2J\n"));
        assertEquals("evil?[2J?", TopView.rows(null, s).get(0).controller());
    }

    @Test
    void withoutATerminalOnlyBatchModeRuns() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main main = new Main(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Commands.USAGE, main.execute(new String[] {"top"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("mptcp4j top: standard input and output are not a"
                + " terminal: -b prints the view as text\nUsage: mptcp4j top "), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(Commands.USAGE, main.execute(new String[] {"top", "-b", "-d", "0.01"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("mptcp4j top: 'delay' must be a number of seconds from"
                + " 0.1 to 3600, not '0.01'\n"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(Commands.USAGE, main.execute(new String[] {"top", "-b", "--sort", "cpu"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("mptcp4j top: 'sort' takes token, "),
                err.toString(StandardCharsets.UTF_8));
    }
}
