package org.mptcp4j.pm;

import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.PmCommand;

/**
 * What mptcp4j asks of the kernel's path manager, each with the kernel release that brought
 * it and whether the v0.95 family has it, so that a missing one is named rather than failing
 * obscurely.
 */
public enum KernelFeature {
    /** ADD_ADDR: adding an endpoint of the in-kernel path manager. */
    ENDPOINT_ADD(false, PmCommand.ADD_ADDR, 0, false, "5.7", "adding an endpoint"),
    /** DEL_ADDR: deleting an endpoint. */
    ENDPOINT_DELETE(false, PmCommand.DEL_ADDR, 0, false, "5.7", "deleting an endpoint"),
    /** GET_ADDR: reading one endpoint or dumping them all. */
    ENDPOINT_GET(false, PmCommand.GET_ADDR, 0, false, "5.7", "reading endpoints"),
    /** FLUSH_ADDRS: deleting every endpoint. */
    ENDPOINT_FLUSH(false, PmCommand.FLUSH_ADDRS, 0, false, "5.7", "flushing endpoints"),
    /** SET_LIMITS: setting the limits. */
    LIMITS_SET(false, PmCommand.SET_LIMITS, 0, false, "5.7", "setting limits"),
    /** GET_LIMITS: reading the limits. */
    LIMITS_GET(false, PmCommand.GET_LIMITS, 0, false, "5.7", "reading limits"),
    /** SET_FLAGS: changing an endpoint's flags. */
    ENDPOINT_SET_FLAGS(false, PmCommand.SET_FLAGS, 0, false, "5.12", "changing an endpoint's flags"),
    /** ANNOUNCE: the userspace path manager announces an address (ADD_ADDR). */
    ANNOUNCE(true, PmCommand.ANNOUNCE, 0, false, "5.19", "announcing an address (userspace PM)"),
    /** REMOVE: the userspace path manager removes an announced address (RM_ADDR). */
    REMOVE(true, PmCommand.REMOVE, 0, false, "5.19", "removing an announced address (userspace PM)"),
    /** SUBFLOW_CREATE: the userspace path manager opens a subflow. */
    SUBFLOW_CREATE(true, PmCommand.SUBFLOW_CREATE, 0, false, "5.19", "creating a subflow (userspace PM)"),
    /** SUBFLOW_DESTROY: the userspace path manager closes a subflow. */
    SUBFLOW_DESTROY(true, PmCommand.SUBFLOW_DESTROY, 0, false, "5.19", "destroying a subflow (userspace PM)"),
    /** SET_FLAGS with a token: MP_PRIO on one subflow of a userspace-PM connection. */
    SUBFLOW_SET_BACKUP(true, PmCommand.SET_FLAGS, Attributes.TOKEN, false, "6.0", "setting a subflow's backup flag (userspace PM)"),
    /** GET_ADDR with a token: the local addresses of one userspace-PM connection. */
    CONNECTION_ADDRESSES(false, PmCommand.GET_ADDR, Attributes.TOKEN, true, "6.9", "listing a connection's local addresses"),
    /** v0.95 SET_FILTER: the event types the kernel sends at all (upstream filters nothing at the source). */
    EVENT_FILTER(true, PmCommand.SET_FILTER, 0, false, null, "filtering events in the kernel"),
    /** v0.95 EXIST: whether a token names a live connection (upstream: answered from sock_diag instead). */
    CONNECTION_EXISTS(true, PmCommand.EXIST, 0, false, null, "asking whether a connection exists");

    private final boolean v095;
    private final PmCommand command;
    private final int attribute;
    private final boolean dump;
    private final String since;
    private final String description;

    KernelFeature(boolean v095, PmCommand command, int attribute, boolean dump, String since, String description) {
        this.v095 = v095;
        this.command = command;
        this.attribute = attribute;
        this.dump = dump;
        this.since = since;
        this.description = description;
    }

    /**
     * The command it is about.
     *
     * @return the command
     */
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

    /**
     * Whether {@code dialect}'s family has it (upstream: in some release).
     *
     * @param dialect the family
     * @return whether it has the feature
     */
    public boolean in(Dialect dialect) {
        return dialect == Dialect.V095 ? v095 : inUpstream();
    }

    /**
     * Whether the upstream mptcp_pm family has it (in some release).
     *
     * @return whether upstream has it
     */
    public boolean inUpstream() {
        return since != null;
    }

    /**
     * The Linux release that brought it, e.g. "5.19"; null for what only v0.95 has.
     *
     * @return the release, or null
     */
    public String since() {
        return since;
    }

    /**
     * What it does, in a few words ("adding an endpoint").
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /** MPTCP_PM_ATTR_* numbers the features refer to. */
    static final class Attributes {
        static final int TOKEN = 4;

        private Attributes() {}
    }
}
