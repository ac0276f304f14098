package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The v0.95 kernel names its path managers; only its netlink one is driven from userspace. */
class PathManagerModeTest {
    @Test
    void v095sNetlinkPathManagerIsTheUserspaceMode() {
        assertEquals(PathManagerMode.USERSPACE, PathManagerMode.ofV095("netlink\n"));
        for (String inKernel : new String[] {"default", "fullmesh", "ndiffports", "binder"}) {
            assertEquals(PathManagerMode.KERNEL, PathManagerMode.ofV095(inKernel), inKernel);
        }
    }
}
