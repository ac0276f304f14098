package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;

/**
 * Waiting for a path-manager family that comes late, as v0.95's does with its module (upstream's
 * is built in: on this kernel it is there from boot, so the looking is replaced here).
 */
class DialectTest {
    private static MptcpException absent() {
        return new MptcpException("find the MPTCP path manager", Errno.ENOENT, "the kernel has neither family");
    }

    @Test
    void aFamilyThatAppearsWhileWaitingIsTaken() {
        AtomicInteger looks = new AtomicInteger();
        Dialect found = KernelFeatures.awaitDialect(() -> {
            if (looks.incrementAndGet() < 3) {
                throw absent();
            }
            return Dialect.V095;
        }, Duration.ofSeconds(30));
        assertEquals(Dialect.V095, found);
        assertEquals(3, looks.get(), "looked until it came, not after");
    }

    @Test
    void noFamilyWithinTheWaitNamesTheWait() {
        MptcpException e = assertThrows(MptcpException.class, () -> KernelFeatures.awaitDialect(() -> {
            throw absent();
        }, Duration.ofMillis(250)));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("find the MPTCP path manager: No such file or directory (ENOENT): the kernel has neither family"
                + " (waited 250 ms)", e.getMessage());
    }

    @Test
    void withoutAWaitOrForOtherErrorsItFailsAtOnce() {
        AtomicInteger looks = new AtomicInteger();
        assertThrows(MptcpException.class, () -> KernelFeatures.awaitDialect(() -> {
            looks.incrementAndGet();
            throw absent();
        }, Duration.ZERO));
        assertEquals(1, looks.get());
        MptcpException denied = assertThrows(MptcpException.class, () -> KernelFeatures.awaitDialect(() -> {
            throw new MptcpException("connect generic netlink socket", Errno.EPERM, null);
        }, Duration.ofSeconds(30)));
        assertEquals(Errno.EPERM, denied.errno(), "not a missing family: no reason to wait");
    }

    @Test
    void aWaitBeyondADayIsRefusedBeforeLooking() {
        AtomicInteger looks = new AtomicInteger();
        for (Duration wait : new Duration[] {Duration.ofDays(1_000_000), Duration.ofNanos(-1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelFeatures.awaitDialect(() -> {
                looks.incrementAndGet();
                throw absent();
            }, wait));
            assertEquals("timeout must be a duration in 0s..1d, not ", e.getMessage().substring(0, 42));
        }
        assertEquals(0, looks.get());
    }
}
