package org.mptcp4j.access;

import java.util.Objects;
import java.util.function.LongSupplier;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.protocol.Dialect;

/**
 * The hooks the stand-in kernel ({@code org.mptcp4j.standin}) needs of the path manager and of
 * the event loop, which are not their public API. The stand-in is above both packages, and
 * they cannot name it back, so each registers its hook here, below both, from its static
 * initializer; the hooks speak of netlink's sockets, and of {@code Object} for the path manager
 * and the loop's builder they cannot name either.
 */
public final class StandInAccess {
    /**
     * {@link System#nanoTime()}, as the one clock object of every loop over the kernel and the
     * default of every stand-in: a warm-up's loop then calls its clock through the class the
     * real loop does, and the code compiled for it stays valid when the real loop starts.
     */
    public static final LongSupplier SYSTEM_CLOCK = System::nanoTime;

    private static volatile PathManagers pathManagers;
    private static volatile LoopBuilders loopBuilders;

    private StandInAccess() {
    }

    /** What a loop over a stand-in hears its events from, in the kernel's place. */
    public interface EventSource {
        /**
         * The socket the stand-in feeds; once.
         *
         * @param recordCapacity events decoded per poll at most
         * @param javaDecoding whether events are parsed in Java
         * @return the event socket
         */
        EventSocket eventSocket(int recordCapacity, boolean javaDecoding);

        /**
         * The clock, in nanoseconds, the loop keeps its timers by.
         *
         * @return the clock
         */
        LongSupplier clock();
    }

    /** Opens path managers over a stand-in's command socket. */
    public interface PathManagers {
        /** A {@code PathManager} over {@code socket}, with every command of {@code dialect}. */
        Object over(CommandSocket socket, Dialect dialect);
    }

    /** Points loops to be built at a stand-in. */
    public interface LoopBuilders {
        /** Has {@code builder}, an {@code EventLoop.Builder}, build a loop that hears {@code source}. */
        void hear(Object builder, EventSource source);
    }

    public static void registerPathManagers(PathManagers hook) {
        pathManagers = once(pathManagers, hook);
    }

    public static void registerLoopBuilders(LoopBuilders hook) {
        loopBuilders = once(loopBuilders, hook);
    }

    private static <T> T once(T registered, T hook) {
        if (registered != null) {
            throw new IllegalStateException("registered already");
        }
        return Objects.requireNonNull(hook, "hook");
    }

    /** The path manager's hook; its class must be initialized. */
    public static PathManagers pathManagers() {
        return Objects.requireNonNull(pathManagers, "PathManager not initialized");
    }

    /** The event loop's hook; its class must be initialized. */
    public static LoopBuilders loopBuilders() {
        return Objects.requireNonNull(loopBuilders, "EventLoop not initialized");
    }
}
