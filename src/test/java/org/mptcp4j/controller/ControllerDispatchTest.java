package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.testing.OnLoop;

/**
 * How a {@link ControllerHost} hands events to controllers, against a stand-in kernel: each
 * event is one call of the callback for its type, to the controller that asked for the type; a
 * host with no policy calls its controller directly, and puts a policy in front of it only when
 * a connection is assigned to another controller, between two events; every controller hears
 * once of each batch's end, after the batch's events.
 */
class ControllerDispatchTest {
    private static final int FAMILY = 0x1c;
    /** Event commands of include/uapi/linux/mptcp_pm.h. */
    private static final Map<MptcpEventType, Integer> COMMAND = Map.of(MptcpEventType.CREATED, 1,
            MptcpEventType.ESTABLISHED, 2, MptcpEventType.CLOSED, 3, MptcpEventType.ANNOUNCED, 6,
            MptcpEventType.SUB_ESTABLISHED, 10, MptcpEventType.SUB_CLOSED, 11);
    private static final int ATTR_TOKEN = 1;
    private static final int MESSAGE_SIZE = 28;
    /** The loop's sockets for MPTCP events only: no rtnetlink, whose changes would make batches of their own. */
    private static final MptcpEventType[] MPTCP_TYPES = {MptcpEventType.CREATED, MptcpEventType.ESTABLISHED,
        MptcpEventType.CLOSED, MptcpEventType.ANNOUNCED, MptcpEventType.REMOVED, MptcpEventType.SUB_ESTABLISHED,
        MptcpEventType.SUB_CLOSED, MptcpEventType.SUB_PRIORITY, MptcpEventType.LISTENER_CREATED,
        MptcpEventType.LISTENER_CLOSED};

    /**
     * With no policy, the loop is asked for the controller's types and the host's own, and the
     * controller is called for its types only, once per event, even for a connection it hears of
     * first by a later event (a policy would look that one up, and leave it alone when not found).
     */
    @Test
    void withoutPolicyEachEventIsOneCallOfItsTypesCallback() throws Exception {
        Recorder recorder = new Recorder("plain", MptcpEventType.SUB_ESTABLISHED, MptcpEventType.SUB_CLOSED,
                MptcpEventType.CLOSED);
        try (Hosted hosted = new Hosted(recorder, false)) {
            assertEquals(EnumSet.of(MptcpEventType.SUB_ESTABLISHED, MptcpEventType.SUB_CLOSED, MptcpEventType.CLOSED,
                    MptcpEventType.ESTABLISHED, MptcpEventType.EVENTS_LOST, MptcpEventType.SUBFLOW_TIMEOUT),
                    hosted.host.eventTypes(), "the controller's types and the host's, no more");
            hosted.send(MptcpEventType.CREATED, 1, MptcpEventType.ESTABLISHED, 1, MptcpEventType.SUB_ESTABLISHED, 1,
                    MptcpEventType.ANNOUNCED, 1, MptcpEventType.SUB_CLOSED, 7, MptcpEventType.CLOSED, 1);
            hosted.awaitBatchEnds(recorder, 1);
            assertEquals(List.of("start", "SUB_ESTABLISHED 1", "SUB_CLOSED 7", "CLOSED 1", "end"), recorder.calls);
            assertEquals(6, hosted.observed.size(), "the observer saw every event, the controller its types only");
            assertSame(recorder, hosted.onLoop(() -> hosted.host.controllerOf(7)));
            assertEquals(0, hosted.onLoop(hosted.host::assignedControllers));
            assertEquals(0, hosted.host.connectionStateEntries(), "no connection kept anywhere");
        }
    }

    /** An assignable host asks the loop for every type (an assigned controller may want any); its controller gets its own. */
    @Test
    void anAssignableHostAsksForEveryTypeAndDeliversTheControllersOwn() throws Exception {
        Recorder recorder = new Recorder("plain", MptcpEventType.ESTABLISHED);
        try (Hosted hosted = new Hosted(recorder, true)) {
            assertEquals(EnumSet.allOf(MptcpEventType.class), hosted.host.eventTypes());
            hosted.send(MptcpEventType.CREATED, 1, MptcpEventType.ESTABLISHED, 1, MptcpEventType.CLOSED, 1);
            hosted.awaitBatchEnds(recorder, 1);
            assertEquals(List.of("start", "ESTABLISHED 1", "end"), recorder.calls);
        }
    }

    /**
     * A connection assigned while the loop runs: the controller had every event before, directly;
     * after, it has those of its other connections and the assigned controller those of the
     * assigned one. No event is lost or delivered twice across the switch.
     */
    @Test
    void anAssignmentSwitchesToPolicyDispatchBetweenTwoEvents() throws Exception {
        Recorder first = new Recorder("first", MptcpEventType.CREATED, MptcpEventType.ESTABLISHED,
                MptcpEventType.SUB_ESTABLISHED, MptcpEventType.CLOSED);
        Recorder assigned = new Recorder("assigned", MptcpEventType.SUB_ESTABLISHED, MptcpEventType.ANNOUNCED,
                MptcpEventType.CLOSED);
        try (Hosted hosted = new Hosted(first, true)) {
            hosted.send(MptcpEventType.CREATED, 1, MptcpEventType.ESTABLISHED, 1, MptcpEventType.CREATED, 2,
                    MptcpEventType.ESTABLISHED, 2);
            hosted.awaitBatchEnds(first, 1);
            assertEquals(0, hosted.onLoop(hosted.host::assignedControllers), "no policy yet");
            assertSame(assigned, hosted.onLoop(() -> hosted.host.assign(connection(2), "assigned", () -> assigned)));
            assertEquals(1, hosted.onLoop(hosted.host::assignedControllers));
            assertSame(assigned, hosted.onLoop(() -> hosted.host.controllerOf(2)));
            assertSame(first, hosted.onLoop(() -> hosted.host.controllerOf(1)), "the others stay with the first");

            hosted.send(MptcpEventType.SUB_ESTABLISHED, 1, MptcpEventType.SUB_ESTABLISHED, 2, MptcpEventType.ANNOUNCED, 1,
                    MptcpEventType.ANNOUNCED, 2, MptcpEventType.CLOSED, 1, MptcpEventType.CLOSED, 2);
            hosted.awaitBatchEnds(first, 2);
            assertEquals(List.of("start", "CREATED 1", "ESTABLISHED 1", "CREATED 2", "ESTABLISHED 2", "end",
                    "SUB_ESTABLISHED 1", "CLOSED 1", "end"), first.calls);
            // Stopped with its last connection, before the batch ended.
            assertEquals(List.of("start", "discovered 2", "SUB_ESTABLISHED 2", "ANNOUNCED 2", "CLOSED 2", "stop"),
                    assigned.calls);
            assertEquals(List.of(2), hosted.ended);
            assertEquals(0, hosted.onLoop(hosted.host::assignedControllers));
        }
    }

    /** The end of a batch comes once, after its events; each batch its own. */
    @Test
    void batchEndComesOncePerBatchAfterItsEvents() throws Exception {
        Recorder recorder = new Recorder("plain", MptcpEventType.CREATED, MptcpEventType.ESTABLISHED,
                MptcpEventType.CLOSED);
        try (Hosted hosted = new Hosted(recorder, false)) {
            hosted.send(MptcpEventType.CREATED, 1, MptcpEventType.ESTABLISHED, 1);
            hosted.awaitBatchEnds(recorder, 1);
            hosted.send(MptcpEventType.CREATED, 2, MptcpEventType.ESTABLISHED, 2, MptcpEventType.CLOSED, 1);
            hosted.awaitBatchEnds(recorder, 2);
            assertEquals(List.of("start", "CREATED 1", "ESTABLISHED 1", "end", "CREATED 2", "ESTABLISHED 2", "CLOSED 1",
                    "end"), recorder.calls);
        }
    }

    /** A policy tells each of its controllers once of a batch's end, whichever had events in it. */
    @Test
    void aPolicyTellsEachOfItsControllersOfTheBatchEnd() throws Exception {
        Recorder matched = new Recorder("matched", MptcpEventType.ESTABLISHED);
        Recorder others = new Recorder("others", MptcpEventType.ESTABLISHED);
        Map<ConnectionPolicy.Match, Controller> rules = new LinkedHashMap<>();
        rules.put(new ConnectionPolicy.Match(AddressPrefix.parse("10.231.0.0/16"), null, 0, 0,
                ConnectionPolicy.Side.ANY), matched);
        rules.put(ConnectionPolicy.Match.ANY, others);
        try (Hosted hosted = new Hosted(ConnectionPolicy.of(rules), false)) {
            // Events that name no address: the first rule matches none of them.
            hosted.send(MptcpEventType.CREATED, 1, MptcpEventType.ESTABLISHED, 1, MptcpEventType.ESTABLISHED, 2);
            hosted.awaitBatchEnds(others, 1);
            hosted.awaitBatchEnds(matched, 1);
            assertEquals(List.of("start", "ESTABLISHED 1", "ESTABLISHED 2", "end"), others.calls);
            assertEquals(List.of("start", "end"), matched.calls);
        }
    }

    private static DiscoveredConnection connection(int token) {
        ConnectionInfo info = new ConnectionInfo(token, new InetSocketAddress("10.231.1.1", 40000),
                new InetSocketAddress("10.231.1.2", 5201), 1, false, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, List.of());
        return new DiscoveredConnection(info, List.of());
    }

    /**
     * Records its calls in order: its start and stop, each event as its callback's type (which
     * must be the event's) and token, discoveries, and "end" for each batch end.
     */
    private static final class Recorder implements Controller {
        final String name;
        final Set<MptcpEventType> types;
        final List<String> calls = new CopyOnWriteArrayList<>();

        Recorder(String name, MptcpEventType first, MptcpEventType... rest) {
            this.name = name;
            this.types = EnumSet.of(first, rest);
        }

        private void called(MptcpEventType callback, MptcpEvent event) {
            calls.add(event.type() == callback ? callback + " " + event.token()
                    : callback + "'s callback for a " + event.type() + " event");
        }

        @Override
        public Set<MptcpEventType> eventTypes() {
            return types;
        }

        @Override
        public void start(ControllerContext context) {
            calls.add("start");
        }

        @Override
        public void onCreated(MptcpEvent event) {
            called(MptcpEventType.CREATED, event);
        }

        @Override
        public void onEstablished(MptcpEvent event) {
            called(MptcpEventType.ESTABLISHED, event);
        }

        @Override
        public void onClosed(MptcpEvent event) {
            called(MptcpEventType.CLOSED, event);
        }

        @Override
        public void onAnnounced(MptcpEvent event) {
            called(MptcpEventType.ANNOUNCED, event);
        }

        @Override
        public void onRemoved(MptcpEvent event) {
            called(MptcpEventType.REMOVED, event);
        }

        @Override
        public void onSubflowEstablished(MptcpEvent event) {
            called(MptcpEventType.SUB_ESTABLISHED, event);
        }

        @Override
        public void onSubflowClosed(MptcpEvent event) {
            called(MptcpEventType.SUB_CLOSED, event);
        }

        @Override
        public void onSubflowPriority(MptcpEvent event) {
            called(MptcpEventType.SUB_PRIORITY, event);
        }

        @Override
        public void onListenerCreated(MptcpEvent event) {
            called(MptcpEventType.LISTENER_CREATED, event);
        }

        @Override
        public void onListenerClosed(MptcpEvent event) {
            called(MptcpEventType.LISTENER_CLOSED, event);
        }

        @Override
        public void onEventsLost() {
            calls.add("events lost");
        }

        @Override
        public void onConnectionDiscovered(DiscoveredConnection connection) {
            calls.add("discovered " + connection.token());
        }

        @Override
        public void onBatchEnd() {
            calls.add("end");
        }

        @Override
        public void stop() {
            calls.add("stop");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A controller hosted in a loop over a stand-in kernel that asks for MPTCP events only, with
     * an observer that wants every type; its resyncs list no connection (the kernel has none).
     */
    private static final class Hosted implements AutoCloseable {
        final KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, FAMILY);
        final ControllerHost host;
        final List<Integer> ended = new CopyOnWriteArrayList<>();
        final List<MptcpEventType> observed = new CopyOnWriteArrayList<>();
        private final PathManager pm;
        private final EventLoop loop;

        Hosted(Controller controller, boolean assignable) throws Exception {
            pm = kernel.pathManager();
            host = new ControllerHost(controller, pm).listsConnections(false);
            if (assignable) {
                host.assignable(ended::add);
            }
            EventHandler observer = event -> observed.add(event.type());
            loop = kernel.loop(EventHandler.observed(host, observer)).eventTypes(MPTCP_TYPES)
                    .build();
            loop.start();
            onLoop(() -> null); // started: its first resync is done
        }

        /** One datagram: the events of the given types and tokens, in order. */
        void send(Object... typesAndTokens) {
            ByteBuffer events = ByteBuffer.allocate(MESSAGE_SIZE * typesAndTokens.length / 2)
                    .order(ByteOrder.nativeOrder());
            for (int i = 0; i < typesAndTokens.length; i += 2) {
                int command = COMMAND.get((MptcpEventType) typesAndTokens[i]);
                events.putInt(MESSAGE_SIZE).putShort((short) FAMILY).putShort((short) 0).putInt(0).putInt(0) // nlmsghdr
                        .put((byte) command).put((byte) 1).putShort((short) 0) // genlmsghdr
                        .putShort((short) 8).putShort((short) ATTR_TOKEN).putInt((Integer) typesAndTokens[i + 1]);
            }
            kernel.sendEvents(events.array());
        }

        /** Waits until {@code recorder} heard of {@code ends} batch ends (a bound for a loaded host, not a timing). */
        void awaitBatchEnds(Recorder recorder, int ends) throws Exception {
            BooleanSupplier done = () -> recorder.calls.stream().filter("end"::equals).count() >= ends;
            for (int i = 0; i < 1000 && !done.getAsBoolean(); i++) {
                Thread.sleep(10);
            }
            assertTrue(done.getAsBoolean(), recorder + ": " + recorder.calls);
            onLoop(() -> null); // whatever the loop does after that end (none expected) is done
        }

        <T> T onLoop(Callable<T> task) throws Exception {
            return OnLoop.call(loop, task);
        }

        @Override
        public void close() {
            loop.close();
            pm.close();
            kernel.close();
        }
    }
}
