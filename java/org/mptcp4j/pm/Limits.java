package org.mptcp4j.pm;

/**
 * The in-kernel path manager's limits for each connection of a namespace ({@code ip mptcp limits}).
 * They do not apply to connections of the userspace path manager.
 *
 * @param addAddrAccepted ADD_ADDRs accepted from the peer (0..8)
 * @param subflows extra subflows (0..8)
 */
public record Limits(int addAddrAccepted, int subflows) {
    @Override
    public String toString() {
        return "add_addr_accepted " + addAddrAccepted + " subflows " + subflows;
    }
}
