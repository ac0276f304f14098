package org.mptcp4j.loop;

/**
 * How the event loop waits when no event is pending.
 *
 * <ul>
 *   <li>{@link #blocking()} (the default) sleeps in the kernel until an event or a wake-up
 *       arrives: no CPU when idle, one thread wake-up per event burst.</li>
 *   <li>{@link #busySpin()} never sleeps: the thread keeps polling the socket, using a whole
 *       core, and sees an event without a wake-up - the lowest latency a JVM can reach.</li>
 *   <li>{@link #yielding()} polls, yielding the core between polls.</li>
 * </ul>
 */
public interface IdleStrategy {
    /**
     * How long a poll may wait in the kernel: -1 until an event or wake-up, 0 not at all.
     *
     * @return the wait, in milliseconds: -1 or 0
     */
    int receiveTimeoutMillis();

    /** Called after a round that found no work. */
    void idle();

    /**
     * Sleep in the kernel until an event arrives.
     *
     * @return the strategy
     */
    static IdleStrategy blocking() {
        return Blocking.INSTANCE;
    }

    /**
     * Poll without pause.
     *
     * @return the strategy
     */
    static IdleStrategy busySpin() {
        return BusySpin.INSTANCE;
    }

    /**
     * Poll, yielding the processor between polls.
     *
     * @return the strategy
     */
    static IdleStrategy yielding() {
        return Yielding.INSTANCE;
    }

    /**
     * "blocking", "busy-spin" or "yielding".
     *
     * @param name the strategy's name
     * @return the strategy
     */
    static IdleStrategy named(String name) {
        return switch (name) {
            case "blocking" -> blocking();
            case "busy-spin", "busy-poll" -> busySpin();
            case "yielding" -> yielding();
            default -> throw new IllegalArgumentException(
                    "unknown idle strategy '" + name + "': expected blocking, busy-spin or yielding");
        };
    }

    /** Blocks in poll(2) on the event socket and the loop's wake-up eventfd. */
    final class Blocking implements IdleStrategy {
        static final Blocking INSTANCE = new Blocking();

        private Blocking() {}

        @Override
        public int receiveTimeoutMillis() {
            return -1;
        }

        @Override
        public void idle() {}

        @Override
        public String toString() {
            return "blocking";
        }
    }

    /** Polls with MSG_DONTWAIT in a loop; {@link Thread#onSpinWait()} between empty polls. */
    final class BusySpin implements IdleStrategy {
        static final BusySpin INSTANCE = new BusySpin();

        private BusySpin() {}

        @Override
        public int receiveTimeoutMillis() {
            return 0;
        }

        @Override
        public void idle() {
            Thread.onSpinWait();
        }

        @Override
        public String toString() {
            return "busy-spin";
        }
    }

    /** Polls with MSG_DONTWAIT, {@link Thread#yield()} between empty polls. */
    final class Yielding implements IdleStrategy {
        static final Yielding INSTANCE = new Yielding();

        private Yielding() {}

        @Override
        public int receiveTimeoutMillis() {
            return 0;
        }

        @Override
        public void idle() {
            Thread.yield();
        }

        @Override
        public String toString() {
            return "yielding";
        }
    }
}
