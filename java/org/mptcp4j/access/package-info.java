/**
 * Internal: the non-public hooks packages register for the packages above them that they
 * cannot name (the JDK's shared-secrets pattern). See {@link org.mptcp4j.access.StandInAccess}.
 */
package org.mptcp4j.access;
