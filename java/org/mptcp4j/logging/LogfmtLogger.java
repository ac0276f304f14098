package org.mptcp4j.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mptcp4j.protocol.EventFormat;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * Writes each record as one line: time, level, the logger's simple name, the thread's MDC
 * entries (the event loop puts its namespace there), the message and the record's key-value
 * pairs; a throwable as {@code error=...} and its stack on the following lines (a field in JSON).
 */
final class LogfmtLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    private final String shortName;

    LogfmtLogger(String name) {
        this.name = name;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public boolean isTraceEnabled() {
        return LogSettings.prints(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return LogSettings.prints(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return LogSettings.prints(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return LogSettings.prints(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return LogSettings.prints(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
            Throwable throwable) {
        write(level, MessageFormatter.basicArrayFormat(pattern, arguments), List.of(), throwable);
    }

    /** The fluent API's records, with their key-value pairs. */
    @Override
    public void log(LoggingEvent event) {
        if (!LogSettings.prints(event.getLevel())) {
            return;
        }
        String message = MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray());
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        write(event.getLevel(), message, pairs == null ? List.of() : pairs, event.getThrowable());
    }

    private void write(Level level, String message, List<KeyValuePair> pairs, Throwable throwable) {
        if (LogSettings.quiet(level)) {
            return;
        }
        boolean json = LogSettings.format() == LogSettings.Format.JSON;
        StringBuilder line = new StringBuilder(160);
        field(line, json, "time", Instant.now().toString());
        field(line, json, "level", level.name().toLowerCase(Locale.ROOT));
        field(line, json, "logger", shortName);
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context != null) {
            context.forEach((k, v) -> field(line, json, k, v));
        }
        field(line, json, "msg", message);
        for (KeyValuePair pair : pairs) {
            field(line, json, pair.key, String.valueOf(pair.value));
        }
        String stack = null;
        if (throwable != null) {
            field(line, json, "error", String.valueOf(throwable));
            StringWriter trace = new StringWriter();
            throwable.printStackTrace(new PrintWriter(trace));
            stack = trace.toString();
            if (json) {
                field(line, true, "stack", stack);
            }
        }
        if (json) {
            line.insert(0, '{').append('}');
        }
        PrintStream out = LogSettings.output();
        synchronized (out) {
            out.println(line);
            if (stack != null && !json) {
                out.print(stack.indent(4));
            }
            out.flush();
        }
    }

    private static void field(StringBuilder line, boolean json, String key, String value) {
        if (json) {
            if (line.length() > 0) {
                line.append(',');
            }
            line.append(EventFormat.jsonString(key)).append(':').append(EventFormat.jsonString(value));
            return;
        }
        if (line.length() > 0) {
            line.append(' ');
        }
        line.append(key).append('=');
        if (value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=')) {
            line.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> line.append("\\\"");
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> line.append(c);
                }
            }
            line.append('"');
        } else {
            line.append(value);
        }
    }
}
