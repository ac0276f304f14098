package org.mptcp4j.netlink;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.standin.KernelStandIn;

/**
 * A native upstream command socket over a socket pair, no kernel needed: the stand-in kernel's
 * own, whose other end the test writes answers to. Its request buffer is reached as the
 * socket's natives read it, so that any bytes at all can be put before them.
 */
final class AdoptedCommandSocket implements AutoCloseable {
    static final int PORT_ID = KernelStandIn.PORT_ID;

    final KernelStandIn kernel;
    final CommandSocket socket;
    /** The request buffer the natives encode from (host order). */
    final ByteBuffer request;

    AdoptedCommandSocket(int familyId) throws ReflectiveOperationException {
        kernel = KernelStandIn.create(Dialect.UPSTREAM, familyId);
        Method commandSocket = KernelStandIn.class.getDeclaredMethod("commandSocket");
        commandSocket.setAccessible(true);
        socket = (CommandSocket) commandSocket.invoke(kernel);
        Field buffer = CommandSocket.class.getDeclaredField("requestBuffer");
        buffer.setAccessible(true);
        request = (ByteBuffer) buffer.get(socket);
    }

    @Override
    public void close() {
        socket.close();
        kernel.close();
    }
}
