package org.mptcp4j.examples;

import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;

/** The README's example: a backup subflow from a second local address on every connection this host opens. */
public final class BackupPath implements Controller {
    private final MptcpAddress local;
    private final MptcpAddress remote = new MptcpAddress();
    private PathManager pm;

    public BackupPath(String backupAddress) {
        local = MptcpAddress.parse(backupAddress, 0).id(1).flags(MptcpAddress.FLAG_BACKUP);
    }

    @Override
    public void start(ControllerContext context) {
        pm = context.pathManager();
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide()) {
            return;
        }
        event.copyRemote(remote); // the peer's address and port, without allocating
        try {
            pm.createSubflow(event.token(), local, remote);
        } catch (PathManagerException e) { // the errno and the kernel's own words
            System.err.println("backup subflow refused: " + e.getMessage());
        }
    }
}
