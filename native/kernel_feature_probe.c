/*
 * Natives of org.mptcp4j.netlink.KernelFeatureProbe: the operations of the mptcp_pm family
 * (CTRL_CMD_GETFAMILY) and the attributes each accepts (CTRL_CMD_GETPOLICY, Linux 5.10), so
 * that an operation the running kernel lacks fails before it is sent, naming what is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "genl_socket.h"
#include "jni_support.h"
#include "mptcp4j/kernel_feature_probe.h"
#include "mptcp4j/mptcp_uapi.h"

/* Policies are numbered per dump; a family has a handful. */
#define MAX_POLICIES 64

struct probe {
	struct mptcp4j_kernel_op *ops;
	int32_t do_policy[MPTCP4J_KERNEL_OPS];
	int32_t dump_policy[MPTCP4J_KERNEL_OPS];
	uint32_t policy_attrs[MAX_POLICIES];
};

/* CTRL_ATTR_OPS: a nest of nests holding CTRL_ATTR_OP_ID and CTRL_ATTR_OP_FLAGS. */
static int on_family(struct nl_msg *msg, void *arg)
{
	struct probe *p = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0 || tb[CTRL_ATTR_OPS] == NULL)
		return NL_SKIP;
	struct nlattr *op;
	int rem;
	nla_for_each_nested(op, tb[CTRL_ATTR_OPS], rem) {
		struct nlattr *ob[CTRL_ATTR_OP_MAX + 1];
		if (nla_parse_nested(ob, CTRL_ATTR_OP_MAX, op, NULL) < 0 || ob[CTRL_ATTR_OP_ID] == NULL ||
		    nla_len(ob[CTRL_ATTR_OP_ID]) < 4)
			continue;
		uint32_t id = nla_get_u32(ob[CTRL_ATTR_OP_ID]);
		if (id >= MPTCP4J_KERNEL_OPS)
			continue;
		p->ops[id].flags = MPTCP4J_OP_PRESENT;
		if (ob[CTRL_ATTR_OP_FLAGS] != NULL && nla_len(ob[CTRL_ATTR_OP_FLAGS]) >= 4)
			p->ops[id].flags |= nla_get_u32(ob[CTRL_ATTR_OP_FLAGS]) & ~(MPTCP4J_OP_PRESENT | MPTCP4J_OP_POLICY_KNOWN);
	}
	return NL_OK;
}

/* One policy-dump message: which policy each op uses, or which attributes a policy lists. */
static int on_policy(struct nl_msg *msg, void *arg)
{
	struct probe *p = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0)
		return NL_SKIP;
	struct nlattr *outer;
	int rem;
	if (tb[CTRL_ATTR_OP_POLICY] != NULL) {
		nla_for_each_nested(outer, tb[CTRL_ATTR_OP_POLICY], rem) {
			int op = nla_type(outer);
			struct nlattr *pb[CTRL_ATTR_POLICY_DUMP_MAX + 1];
			if (op >= MPTCP4J_KERNEL_OPS ||
			    nla_parse_nested(pb, CTRL_ATTR_POLICY_DUMP_MAX, outer, NULL) < 0)
				continue;
			if (pb[CTRL_ATTR_POLICY_DO] != NULL && nla_len(pb[CTRL_ATTR_POLICY_DO]) >= 4)
				p->do_policy[op] = (int32_t)nla_get_u32(pb[CTRL_ATTR_POLICY_DO]);
			if (pb[CTRL_ATTR_POLICY_DUMP] != NULL && nla_len(pb[CTRL_ATTR_POLICY_DUMP]) >= 4)
				p->dump_policy[op] = (int32_t)nla_get_u32(pb[CTRL_ATTR_POLICY_DUMP]);
		}
	}
	if (tb[CTRL_ATTR_POLICY] != NULL) {
		nla_for_each_nested(outer, tb[CTRL_ATTR_POLICY], rem) {
			int index = nla_type(outer);
			if (index >= MAX_POLICIES)
				continue;
			struct nlattr *attr;
			int arem;
			nla_for_each_nested(attr, outer, arem) {
				int type = nla_type(attr);
				if (type > 0 && type < 32)
					p->policy_attrs[index] |= UINT32_C(1) << type;
			}
		}
	}
	return NL_OK;
}

/* Sends a CTRL request about mptcp_pm and runs `handler` on each answer. */
static int ask_controller(struct nl_sock *sk, int cmd, int flags, nl_recvmsg_msg_cb_t handler, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	if (msg == NULL)
		return -NLE_NOMEM;
	int rc = -NLE_NOMEM;
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, flags, cmd, 1) != NULL &&
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, MPTCP_PM_NAME) == 0) {
		rc = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, handler, arg);
		if (rc >= 0)
			rc = nl_send_auto(sk, msg);
		if (rc >= 0)
			rc = nl_recvmsgs_default(sk);
	}
	nlmsg_free(msg);
	return rc;
}

/* Fills `out` with MPTCP4J_KERNEL_OPS entries; throws MptcpException when the family is absent. */
static void probe_features(JNIEnv *env, jclass cls, jint netns_fd, jobject out)
{
	(void)cls;
	struct mptcp4j_kernel_op *ops =
		m4j_direct_buffer(env, out, MPTCP4J_KERNEL_OPS * sizeof(struct mptcp4j_kernel_op), NULL);
	if (ops == NULL)
		return;
	int family_id;
	struct nl_sock *sk = genl_socket_open(env, netns_fd, MPTCP_PM_NAME, &family_id);
	if (sk == NULL)
		return;
	struct probe p;
	memset(&p, 0, sizeof(p));
	memset(ops, 0, MPTCP4J_KERNEL_OPS * sizeof(*ops));
	p.ops = ops;
	for (int i = 0; i < MPTCP4J_KERNEL_OPS; i++)
		p.do_policy[i] = p.dump_policy[i] = -1;
	/* One answer, no acknowledgement to wait for. */
	nl_socket_disable_auto_ack(sk);
	int rc = ask_controller(sk, CTRL_CMD_GETFAMILY, 0, on_family, &p);
	if (rc < 0) {
		nl_socket_free(sk);
		m4j_throw_mptcp(env, "read the operations of mptcp_pm (CTRL_CMD_GETFAMILY)", 0, nl_geterror(rc));
		return;
	}
	/* Kernels before 5.10 have no policy dump: their operations are known, their attributes not. */
	if (ask_controller(sk, CTRL_CMD_GETPOLICY, NLM_F_DUMP, on_policy, &p) >= 0) {
		for (int op = 0; op < MPTCP4J_KERNEL_OPS; op++) {
			if (!(ops[op].flags & MPTCP4J_OP_PRESENT))
				continue;
			ops[op].flags |= MPTCP4J_OP_POLICY_KNOWN;
			if (p.do_policy[op] >= 0 && p.do_policy[op] < MAX_POLICIES)
				ops[op].do_attrs = p.policy_attrs[p.do_policy[op]];
			if (p.dump_policy[op] >= 0 && p.dump_policy[op] < MAX_POLICIES)
				ops[op].dump_attrs = p.policy_attrs[p.dump_policy[op]];
		}
	}
	nl_socket_free(sk);
}

/* The id of generic-netlink family `name` in netns_fd, or -ENOENT when the kernel has none. */
static jint probe_family_id(JNIEnv *env, jclass cls, jint netns_fd, jstring name)
{
	(void)cls;
	char family[GENL_NAMSIZ];
	/* No family has a longer name: the kernel holds GENL_NAMSIZ bytes with the NUL. */
	if (name != NULL && (*env)->GetStringUTFLength(env, name) >= GENL_NAMSIZ)
		return -ENOENT;
	if (genl_socket_name(env, name, family, sizeof(family)) < 0)
		return -EINVAL;
	struct nl_sock *sk = genl_socket_connect(env, netns_fd);
	if (sk == NULL)
		return -ENOENT;
	jint id = -ENOENT;
	int rc = genl_ctrl_resolve(sk, family);
	if (rc >= 0)
		id = rc;
	else if (rc != -NLE_OBJ_NOTFOUND)
		m4j_throw_mptcp(env, "resolve a generic netlink family", 0, nl_geterror(rc));
	nl_socket_free(sk);
	return id;
}

int m4j_register_kernel_feature_probe(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"probe", "(ILjava/nio/ByteBuffer;)V", (void *)probe_features},
		{"lookUpFamily", "(ILjava/lang/String;)I", (void *)probe_family_id},
	};
	return m4j_register(env, "org/mptcp4j/netlink/KernelFeatureProbe", methods,
			    M4J_ARRAY_LEN(methods));
}
