package org.mptcp4j.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.natives.UnixDatagram;
import org.mptcp4j.testing.LogLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * log = journal and log = syslog: each record one datagram to a socket of the test's own, with
 * its level as a syslog priority and its fields as journal fields; standard error when nobody
 * listens, so that nothing is lost.
 */
class SystemLogTest {
    private static final Logger LOG = LoggerFactory.getLogger(SystemLogTest.class);

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        LogSettings.destination(LogSettings.Destination.STDERR);
        System.clearProperty(SystemLog.JOURNAL_PROPERTY);
        System.clearProperty(SystemLog.SYSLOG_PROPERTY);
        MDC.clear();
    }

    /** A journal entry's fields, read as journald reads the native protocol (a value with newlines in binary form). */
    static Map<String, String> fields(byte[] entry) {
        Map<String, String> fields = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int start = b.position();
            int end = start;
            while (entry[end] != '=' && entry[end] != '\n') {
                end++;
            }
            String name = new String(entry, start, end - start, StandardCharsets.US_ASCII);
            if (entry[end] == '=') {
                int lineEnd = end + 1;
                while (entry[lineEnd] != '\n') {
                    lineEnd++;
                }
                fields.put(name, new String(entry, end + 1, lineEnd - end - 1, StandardCharsets.UTF_8));
                b.position(lineEnd + 1);
            } else {
                b.position(end + 1);
                int length = (int) b.getLong();
                fields.put(name, new String(entry, b.position(), length, StandardCharsets.UTF_8));
                b.position(b.position() + length);
                assertEquals('\n', b.get(), "a binary value ends with a newline");
            }
        }
        return fields;
    }

    private static byte[] receive(UnixDatagram socket) throws IOException {
        ByteBuffer into = ByteBuffer.allocateDirect(1 << 16);
        assertTrue(socket.receive(into, 5000), "no datagram");
        into.flip();
        byte[] bytes = new byte[into.remaining()];
        into.get(bytes);
        return bytes;
    }

    @Test
    void anEntryCarriesPriorityIdentifierAndFieldsAValueWithNewlinesInBinaryForm() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("netns", "blue");
        given.put("stack", "line one\nline two\n");
        given.put("2nd-try", "x");
        Map<String, String> f = fields(SystemLog.journalEntry(Level.WARN, "message with = sign", given));
        assertEquals(List.of("MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "SYSLOG_FACILITY", "NETNS", "STACK", "F2ND_TRY"),
                List.copyOf(f.keySet()));
        assertEquals("message with = sign", f.get("MESSAGE"));
        assertEquals("4", f.get("PRIORITY"));
        assertEquals("mptcp4j", f.get("SYSLOG_IDENTIFIER"));
        assertEquals("3", f.get("SYSLOG_FACILITY"));
        assertEquals("line one\nline two\n", f.get("STACK"));
        assertEquals("F_JOURNAL", SystemLog.fieldName("_journal"), "fields starting with _ are the journal's own");
        assertEquals(64, SystemLog.fieldName("k".repeat(100)).length());
    }

    @Test
    void levelsArePriorities() {
        assertEquals(3, SystemLog.priority(Level.ERROR));
        assertEquals(4, SystemLog.priority(Level.WARN));
        assertEquals(6, SystemLog.priority(Level.INFO));
        assertEquals(7, SystemLog.priority(Level.DEBUG));
        String message = new String(SystemLog.syslogMessage(Level.ERROR, "it failed",
                LocalDateTime.of(2026, 12, 7, 9, 5, 3)), StandardCharsets.UTF_8);
        assertEquals("<27>Dec  7 09:05:03 mptcp4j[" + ProcessHandle.current().pid() + "]: it failed", message);
    }

    @Test
    void aRecordGoesToTheJournalWithItsNamespaceTokenAndController() throws Exception {
        String socket = dir.resolve("journal.sock").toString();
        System.setProperty(SystemLog.JOURNAL_PROPERTY, socket);
        try (UnixDatagram journal = UnixDatagram.bind(socket); LogLines lines = LogLines.capture()) {
            LogSettings.destination(LogSettings.Destination.JOURNAL);
            MDC.put("netns", "blue");
            LOG.atWarn().addKeyValue("token", "1c0ffee5").addKeyValue("controller", "ndiffports")
                    .setCause(new IllegalStateException("stuck")).log("subflow refused");
            Map<String, String> f = fields(receive(journal));
            assertEquals("4", f.get("PRIORITY"));
            assertEquals("blue", f.get("NETNS"));
            assertEquals("1c0ffee5", f.get("TOKEN"));
            assertEquals("ndiffports", f.get("CONTROLLER"));
            assertEquals("SystemLogTest", f.get("LOGGER"));
            assertEquals("subflow refused netns=blue token=1c0ffee5 controller=ndiffports", f.get("MESSAGE"));
            assertEquals("java.lang.IllegalStateException: stuck", f.get("ERROR"));
            assertTrue(f.get("STACK").contains("org.mptcp4j.logging.SystemLogTest.aRecordGoesToTheJournal"), f.get("STACK"));
            LOG.debug("below the level");
            LOG.error("an error");
            assertEquals("3", fields(receive(journal)).get("PRIORITY"), "the debug record was not sent");
            assertEquals(List.of(), lines.containing("subflow refused"), "nothing on standard error");
        }
    }

    @Test
    void aRecordGoesToSyslogWithFacilityDaemonAndItsLevel() throws Exception {
        String socket = dir.resolve("log").toString();
        System.setProperty(SystemLog.SYSLOG_PROPERTY, socket);
        try (UnixDatagram syslog = UnixDatagram.bind(socket)) {
            LogSettings.destination(LogSettings.Destination.SYSLOG);
            LOG.atInfo().addKeyValue("netns", "red").log("managing namespace red");
            String message = new String(receive(syslog), StandardCharsets.UTF_8);
            assertTrue(message.startsWith("<30>"), message);
            assertTrue(message.endsWith(" mptcp4j[" + ProcessHandle.current().pid() + "]: managing namespace red netns=red"),
                    message);
        }
    }

    @Test
    void withNobodyListeningRecordsGoToStandardError() {
        System.setProperty(SystemLog.JOURNAL_PROPERTY, dir.resolve("none").toString());
        try (LogLines lines = LogLines.capture()) {
            LogSettings.destination(LogSettings.Destination.JOURNAL);
            LOG.warn("first");
            LOG.warn("second");
            assertEquals(1, lines.containing("cannot log to journal at " + dir.resolve("none")).size());
            assertEquals(1, lines.containing("msg=first").size());
            assertEquals(1, lines.containing("msg=second").size());
            assertFalse(lines.containing("level=warn").isEmpty());
        }
    }
}
