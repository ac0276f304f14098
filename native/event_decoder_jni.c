/* Natives of org.mptcp4j.netlink.EventDecoder: the decoder of event_decoder.c on bytes from Java. */
#include "event_decoder.h"
#include "jni_support.h"

/* Decodes bytes from a Java buffer: the unit tests' and benchmarks' way into the decoder. */
static jint decode(JNIEnv *env, jclass cls, jobject raw, jint len, jobject records,
		   jobject counters, jint family_id, jlong type_mask, jboolean host_order_ports)
{
	(void)cls;
	size_t raw_cap, rec_cap;
	uint8_t *in = m4j_direct_buffer(env, raw, 0, &raw_cap);
	if (in == NULL)
		return -1;
	struct mptcp4j_event_record *out = m4j_direct_buffer(env, records, 0, &rec_cap);
	if (out == NULL)
		return -1;
	uint64_t *cnt = m4j_direct_buffer(env, counters,
					  MPTCP4J_COUNTER_COUNT * sizeof(uint64_t), NULL);
	if (cnt == NULL)
		return -1;
	if (len < 0 || (size_t)len > raw_cap) {
		m4j_throw_illegal_argument(env, "length outside the raw buffer");
		return -1;
	}
	struct event_decoder decoder = {
		.family_id = (uint16_t)family_id,
		.host_order_ports = host_order_ports,
		.type_mask = (uint64_t)type_mask,
		.counters = cnt,
	};
	size_t consumed;
	return event_decoder_decode(&decoder, in, (size_t)len, 0, out,
				    (int)(rec_cap / sizeof(*out)), &consumed);
}

int m4j_register_event_decoder(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"decode", "(Ljava/nio/ByteBuffer;ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;IJZ)I",
		 (void *)decode},
	};
	return m4j_register(env, "org/mptcp4j/netlink/EventDecoder", methods,
			    M4J_ARRAY_LEN(methods));
}
