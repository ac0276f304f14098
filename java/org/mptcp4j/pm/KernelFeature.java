package org.mptcp4j.pm;

/**
 * What mptcp4j asks of the kernel's path manager, each with the kernel release that brought
 * it, so that a missing one is named rather than failing obscurely.
 */
public enum KernelFeature {
    ENDPOINT_ADD(PmCommand.ADD_ADDR, 0, false, "5.7", "adding an endpoint"),
    ENDPOINT_DELETE(PmCommand.DEL_ADDR, 0, false, "5.7", "deleting an endpoint"),
    ENDPOINT_GET(PmCommand.GET_ADDR, 0, false, "5.7", "reading endpoints"),
    ENDPOINT_FLUSH(PmCommand.FLUSH_ADDRS, 0, false, "5.7", "flushing endpoints"),
    LIMITS_SET(PmCommand.SET_LIMITS, 0, false, "5.7", "setting limits"),
    LIMITS_GET(PmCommand.GET_LIMITS, 0, false, "5.7", "reading limits"),
    ENDPOINT_SET_FLAGS(PmCommand.SET_FLAGS, 0, false, "5.12", "changing an endpoint's flags"),
    ANNOUNCE(PmCommand.ANNOUNCE, 0, false, "5.19", "announcing an address (userspace PM)"),
    REMOVE(PmCommand.REMOVE, 0, false, "5.19", "removing an announced address (userspace PM)"),
    SUBFLOW_CREATE(PmCommand.SUBFLOW_CREATE, 0, false, "5.19", "creating a subflow (userspace PM)"),
    SUBFLOW_DESTROY(PmCommand.SUBFLOW_DESTROY, 0, false, "5.19", "destroying a subflow (userspace PM)"),
    /** SET_FLAGS with a token: MP_PRIO on one subflow of a userspace-PM connection. */
    SUBFLOW_SET_BACKUP(PmCommand.SET_FLAGS, Attributes.TOKEN, false, "6.0", "setting a subflow's backup flag (userspace PM)"),
    /** GET_ADDR with a token: the local addresses of one userspace-PM connection. */
    CONNECTION_ADDRESSES(PmCommand.GET_ADDR, Attributes.TOKEN, true, "6.9", "listing a connection's local addresses");

    private final PmCommand command;
    private final int attribute;
    private final boolean dump;
    private final String since;
    private final String description;

    KernelFeature(PmCommand command, int attribute, boolean dump, String since, String description) {
        this.command = command;
        this.attribute = attribute;
        this.dump = dump;
        this.since = since;
        this.description = description;
    }

    public PmCommand command() {
        return command;
    }

    /** The MPTCP_PM_ATTR_* the command must accept for this feature, 0 for none. */
    int attribute() {
        return attribute;
    }

    /** Whether the attribute is looked for in the command's dump policy rather than its do policy. */
    boolean dump() {
        return dump;
    }

    /** The Linux release that brought it, e.g. "5.19". */
    public String since() {
        return since;
    }

    public String description() {
        return description;
    }

    /** MPTCP_PM_ATTR_* numbers the features refer to. */
    static final class Attributes {
        static final int TOKEN = 4;

        private Attributes() {}
    }
}
