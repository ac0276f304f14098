package org.mptcp4j.controller;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.function.IntPredicate;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netlink.EventRecordWriter;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;

/**
 * A {@link ControllerHost}'s timeout watching: the {@link SubflowTimeoutWatcher} for the
 * connections its controllers watch, the loop's timer that has it look, and the timeouts it
 * finds, handed to the loop as SUBFLOW_TIMEOUT events. From the loop's thread.
 */
final class TimeoutWatching {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutWatching.class);

    private final SubflowTimeoutWatcher watcher;
    /** Run after the timeouts of one look were delivered: they make a batch of their own. */
    private final Runnable afterReports;
    private final Runnable lookAction = this::look;
    private Duration interval = Duration.ofMillis(100);
    private EventLoop loop;
    private EventLoop.Scheduled looks;
    private boolean unavailableSaid;
    private long reported;

    TimeoutWatching(NetworkNamespace namespace, Runnable afterReports) {
        this.watcher = new SubflowTimeoutWatcher(namespace);
        this.afterReports = afterReports;
    }

    void interval(Duration interval) {
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("timeout interval below 1 ms: " + interval);
        }
        this.interval = interval;
    }

    /** The loop started: connections watched before it look from now on. */
    void start(EventLoop eventLoop) {
        this.loop = eventLoop;
        if (!watcher.isIdle() && looks == null) {
            scheduleLooks();
        }
    }

    /**
     * Watches connection {@code token}. {@code delivering} is the event being delivered, if
     * any: watched from its ESTABLISHED, the connection has one subflow, which that event names
     * ({@link #learn}), and the others will come by SUB_ESTABLISHED; otherwise the next look
     * finds them all. {@code withoutSockDiag}: why nothing can be watched, or null.
     */
    void watch(int token, MptcpEvent delivering, String withoutSockDiag) {
        if (withoutSockDiag != null) {
            if (!unavailableSaid) {
                unavailableSaid = true;
                LOG.warn("subflow timeouts are not watched: " + withoutSockDiag);
            }
            return;
        }
        watcher.watch(token, delivering != null && delivering.token() == token
                && delivering.type() == MptcpEventType.ESTABLISHED);
        if (loop != null && looks == null) {
            scheduleLooks();
        }
    }

    /** After the controllers had {@code event}: they may have started watching its connection on it. */
    void learn(MptcpEvent event, MptcpEventType type) {
        if (type == MptcpEventType.ESTABLISHED || type == MptcpEventType.SUB_ESTABLISHED) {
            watcher.learn(event);
        }
    }

    void forget(int token) {
        watcher.forget(token);
    }

    /** A resync found the connections {@code open} accepts; subflow events may have been lost with others. */
    void resynced(IntPredicate open) {
        watcher.retain(open);
        watcher.lookFully();
    }

    private void scheduleLooks() {
        looks = loop.schedule(interval, lookAction);
    }

    private void look() {
        if (watcher.isIdle()) {
            return;
        }
        watcher.look();
        EventRecordWriter reports = watcher.reports();
        int n = reports.count();
        for (int i = 0; i < n; i++) {
            reported++;
            // Through the loop's handler, so that whatever observes it sees these too.
            loop.deliver(reports.record(i));
        }
        if (n > 0) {
            afterReports.run();
        }
    }

    long reported() {
        return reported;
    }

    int watchedConnections() {
        return watcher.watchedConnections();
    }

    SubflowTimeoutWatcher watcher() {
        return watcher;
    }

    /** The loop is ending: no more looks, and the watcher's socket closes. */
    void close() {
        if (looks != null) {
            looks.cancel();
            looks = null;
        }
        watcher.close();
    }
}
