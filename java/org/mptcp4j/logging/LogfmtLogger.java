package org.mptcp4j.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
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
 * To the journal or syslog ({@link LogSettings.Destination}), as one datagram each instead.
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
        Map<String, String> context = MDC.getCopyOfContextMap();
        LogSettings.Destination destination = LogSettings.destination();
        if (destination != LogSettings.Destination.STDERR
                && SystemLog.send(destination, systemLogRecord(destination, level, message, context, pairs, throwable))) {
            return;
        }
        boolean json = LogSettings.format() == LogSettings.Format.JSON;
        StringBuilder line = new StringBuilder(160);
        field(line, json, "time", Instant.now().toString());
        field(line, json, "level", level.name().toLowerCase(Locale.ROOT));
        field(line, json, "logger", shortName);
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
            stack = stack(throwable);
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

    /**
     * The record for the journal (the message with its fields in logfmt, and each field on its
     * own: LOGGER, the MDC's, the pairs', ERROR and STACK) or for syslog (the message with its
     * fields and the error in logfmt).
     */
    private byte[] systemLogRecord(LogSettings.Destination destination, Level level, String message,
            Map<String, String> context, List<KeyValuePair> pairs, Throwable throwable) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (context != null) {
            fields.putAll(context);
        }
        for (KeyValuePair pair : pairs) {
            fields.put(pair.key, String.valueOf(pair.value));
        }
        StringBuilder text = new StringBuilder(message);
        fields.forEach((k, v) -> field(text, false, k, v));
        if (throwable != null) {
            fields.put("error", String.valueOf(throwable));
        }
        if (destination == LogSettings.Destination.SYSLOG) {
            if (throwable != null) {
                field(text, false, "error", String.valueOf(throwable));
            }
            return SystemLog.syslogMessage(level, text.toString(), LocalDateTime.now());
        }
        fields.put("logger", shortName);
        if (throwable != null) {
            fields.put("stack", stack(throwable));
        }
        return SystemLog.journalEntry(level, text.toString(), fields);
    }

    private static String stack(Throwable throwable) {
        StringWriter trace = new StringWriter();
        throwable.printStackTrace(new PrintWriter(trace));
        return trace.toString();
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
