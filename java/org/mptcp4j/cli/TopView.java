package org.mptcp4j.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.mptcp4j.command.ConnectionsCommand;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;

/**
 * What {@code mptcp4j top} shows: one row per subflow, its rates from two samples of the
 * namespace's connections, sorted on a column, as lines cut to the terminal. Knows no terminal:
 * the same lines are printed in batch mode.
 */
final class TopView {
    /** What the key line says, the same in the manual. */
    static final String KEYS = "keys: q quit, < > sort column, s next sort column, r reverse";

    /** The namespace's connections at one moment, with the controller managing each, by token. */
    record Sample(long nanos, List<ConnectionInfo> connections, Map<Integer, String> controllers) {}

    /**
     * One subflow as shown; its rates in bytes per second are -1 while unknown: in its first
     * sample, or when its counters went back (another subflow on the same addresses and ports).
     */
    record Row(ConnectionInfo connection, SubflowInfo subflow, String controller, long sendRate, long receiveRate) {
        String backup() {
            return subflow.backup() ? subflow.peerBackup() ? "both" : "local" : subflow.peerBackup() ? "peer" : "-";
        }
    }

    /**
     * The columns, in their order on screen. A text column sorts ascending first, a number
     * descending (the busiest first, as top does); reversing flips either. Ties go by token, then
     * local and remote address, so that the order does not flicker.
     */
    enum Column {
        TOKEN("TOKEN", false, r -> EventFormat.token(r.connection().token()), null),
        LOCAL("LOCAL", false, r -> ConnectionsCommand.address(r.subflow().local()), null),
        REMOTE("REMOTE", false, r -> ConnectionsCommand.address(r.subflow().remote()), null),
        STATE("STATE", false, r -> TcpState.name(r.subflow().state()), null),
        BACKUP("BACKUP", false, Row::backup, null),
        RTT("RTT ms", true, r -> String.format(Locale.ROOT, "%.2f", r.subflow().rttMicros() / 1000.0),
                r -> r.subflow().rttMicros()),
        SEND("SEND/s", true, r -> rate(r.sendRate()), Row::sendRate),
        RECEIVE("RECV/s", true, r -> rate(r.receiveRate()), Row::receiveRate),
        CONTROLLER("CONTROLLER", false, Row::controller, null);

        final String title;
        final boolean number;
        final Function<Row, String> text;
        private final Comparator<Row> order;

        Column(String title, boolean number, Function<Row, String> text, Function<Row, Long> value) {
            this.title = title;
            this.number = number;
            this.text = text;
            this.order = value != null ? Comparator.comparing(value).reversed() : Comparator.comparing(text);
        }

        /** The next column to the right ({@code step} 1) or left (-1), round the ends. */
        Column move(int step) {
            Column[] all = values();
            return all[Math.floorMod(ordinal() + step, all.length)];
        }

        /** The column whose title is {@code name}, case and the rate's "/s" aside ("send", "rtt"). */
        static Column named(String name) {
            for (Column c : values()) {
                if (c.title.toLowerCase(Locale.ROOT).replace("/s", "").replace(" ms", "").equals(name.toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
            return null;
        }
    }

    private static final Comparator<Row> TIES = Comparator.comparing((Row r) -> Integer.toUnsignedLong(r.connection().token()))
            .thenComparing(r -> ConnectionsCommand.address(r.subflow().local()))
            .thenComparing(r -> ConnectionsCommand.address(r.subflow().remote()));

    private TopView() {}

    /**
     * The subflows of {@code current}, with rates over the time since {@code previous} (null: none
     * yet). A subflow is the same in both when its token and addresses with ports are.
     */
    static List<Row> rows(Sample previous, Sample current) {
        Map<String, SubflowInfo> before = new HashMap<>();
        if (previous != null) {
            for (ConnectionInfo c : previous.connections()) {
                c.subflows().forEach(f -> before.put(key(c, f), f));
            }
        }
        long elapsed = previous == null ? 0 : current.nanos() - previous.nanos();
        List<Row> rows = new ArrayList<>();
        for (ConnectionInfo c : current.connections()) {
            String controller = printable(current.controllers().getOrDefault(c.token(), "-"));
            for (SubflowInfo f : c.subflows()) {
                SubflowInfo earlier = before.get(key(c, f));
                long send = -1;
                long receive = -1;
                if (earlier != null && elapsed > 0) {
                    send = rate(earlier.bytesAcked(), f.bytesAcked(), elapsed);
                    receive = rate(earlier.bytesReceived(), f.bytesReceived(), elapsed);
                }
                rows.add(new Row(c, f, controller, send, receive));
            }
        }
        return rows;
    }

    private static String key(ConnectionInfo c, SubflowInfo f) {
        return c.token() + " " + ConnectionsCommand.address(f.local()) + " " + ConnectionsCommand.address(f.remote());
    }

    private static long rate(long before, long now, long nanos) {
        return now < before ? -1 : Math.round((now - before) * 1e9 / nanos);
    }

    /**
     * The screen: {@code title}, the totals, the sort and keys, the column titles (the sort
     * column's marked with '*'), then the rows sorted; at most {@code height} lines (rows beyond
     * are left out), each cut to {@code width} columns.
     */
    static List<String> lines(String title, List<Row> rows, Column sort, boolean reverse, int width, int height) {
        long connections = rows.stream().map(r -> r.connection().token()).distinct().count();
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add(connections + (connections == 1 ? " connection, " : " connections, ") + rows.size()
                + (rows.size() == 1 ? " subflow" : " subflows") + "; sending " + total(rows, Row::sendRate)
                + " B/s, receiving " + total(rows, Row::receiveRate) + " B/s");
        lines.add("sort: " + sort.title + (sort.number != reverse ? " descending" : " ascending") + "; " + KEYS);
        lines.add("");
        Comparator<Row> order = reverse ? sort.order.reversed() : sort.order;
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(order.thenComparing(TIES));

        Column[] columns = Column.values();
        int[] widths = new int[columns.length];
        String[][] cells = new String[sorted.size()][columns.length];
        for (Column c : columns) {
            widths[c.ordinal()] = c.title.length() + (c == sort ? 1 : 0);
            for (int i = 0; i < sorted.size(); i++) {
                cells[i][c.ordinal()] = c.text.apply(sorted.get(i));
                widths[c.ordinal()] = Math.max(widths[c.ordinal()], cells[i][c.ordinal()].length());
            }
        }
        String[] titles = new String[columns.length];
        for (Column c : columns) {
            titles[c.ordinal()] = c.title + (c == sort ? "*" : "");
        }
        lines.add(line(titles, widths));
        for (String[] row : cells) {
            lines.add(line(row, widths));
        }
        List<String> shown = lines.subList(0, Math.min(lines.size(), Math.max(0, height)));
        return shown.stream().map(l -> l.length() > width ? l.substring(0, width) : l).toList();
    }

    /** Cells padded to their column's width: numbers to the right, text to the left; the last column unpadded. */
    private static String line(String[] cells, int[] widths) {
        StringBuilder s = new StringBuilder();
        Column[] columns = Column.values();
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(widths[i] - cells[i].length());
            String cell = columns[i].number ? pad + cells[i] : i == cells.length - 1 ? cells[i] : cells[i] + pad;
            s.append(i == 0 ? "" : "  ").append(cell);
        }
        return s.toString();
    }

    private static String total(List<Row> rows, Function<Row, Long> rate) {
        long sum = 0;
        for (Row r : rows) {
            long v = rate.apply(r);
            if (v < 0) {
                return "-";
            }
            sum += v;
        }
        return rate(sum);
    }

    /** Bytes per second, in k, M, G (powers of 1000) past 999: "950", "12.3k", "1.25M"; "-" when unknown. */
    static String rate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            return "-";
        }
        if (bytesPerSecond < 1000) {
            return Long.toString(bytesPerSecond);
        }
        double value = bytesPerSecond;
        int unit = -1;
        while (value >= 999.5 && unit < 3) {
            value /= 1000;
            unit++;
        }
        String digits = value < 9.995 ? "%.2f" : value < 99.95 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, digits, value) + "kMGT".charAt(unit);
    }

    /** What a controller calls itself, without the control characters that would steer the terminal. */
    private static String printable(String text) {
        StringBuilder s = new StringBuilder(text.length());
        text.codePoints().forEach(c -> s.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return s.toString();
    }
}
