package org.mptcp4j.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.LogLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread made quiet (the daemon's warm-up) writes only its errors, and so do the threads it
 * starts; every other thread logs as set, at the same time.
 */
class QuietThreadTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuietThreadTest.class);

    @Test
    void aQuietThreadAndThoseItStartsWriteOnlyErrorsWhileOthersLogOn() throws Exception {
        try (LogLines lines = LogLines.capture()) {
            Thread quiet = new Thread(() -> {
                LogSettings.quietThisThread(true);
                assertTrue(LOG.isInfoEnabled(), "records are still made");
                LOG.info("quiet-info");
                LOG.atWarn().log("quiet-warn");
                LOG.error("quiet-error");
                Thread child = new Thread(() -> LOG.info("child-info"));
                child.start();
                try {
                    child.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LogSettings.quietThisThread(false);
                LOG.info("quiet-again-loud");
            });
            quiet.start();
            quiet.join();
            Thread loud = new Thread(() -> LOG.info("loud-info"));
            loud.start();
            loud.join();
            for (String text : List.of("quiet-info", "quiet-warn", "child-info")) {
                assertEquals(List.of(), lines.containing(text), text);
            }
            assertEquals(1, lines.containing("quiet-error").size());
            assertEquals(1, lines.containing("quiet-again-loud").size());
            assertEquals(1, lines.containing("loud-info").size());
        }
    }
}
