package org.mptcp4j.metrics;

import java.math.BigDecimal;

/**
 * Writes lines of the Prometheus text format 0.0.4: a family's HELP and TYPE, then its samples,
 * each built as {@code sample(name).label(..).label(..).value(..)}.
 */
final class Samples {
    private final StringBuilder out = new StringBuilder(4096);
    private boolean labelled;

    void header(Family family) {
        out.append("# HELP ").append(family.name()).append(' ');
        escape(family.help(), false);
        out.append("\n# TYPE ").append(family.name()).append(' ').append(family.type()).append('\n');
    }

    Samples sample(String name) {
        out.append(name);
        labelled = false;
        return this;
    }

    Samples label(String name, String value) {
        out.append(labelled ? ',' : '{').append(name).append("=\"");
        escape(value, true);
        out.append('"');
        labelled = true;
        return this;
    }

    void value(long value) {
        endLabels().append(value).append('\n');
    }

    /** A duration in nanoseconds, written in seconds as an exact decimal (0.00001, not 1.0E-5). */
    void seconds(long nanos) {
        endLabels().append(secondsText(nanos)).append('\n');
    }

    static String secondsText(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    private StringBuilder endLabels() {
        return out.append(labelled ? "} " : " ");
    }

    /** HELP escapes backslash and line feed; label values also escape the double quote. */
    private void escape(String text, boolean quote) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '"' && quote) {
                out.append("\\\"");
            } else {
                out.append(c);
            }
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
