/*
 * Natives of org.mptcp4j.netlink.NativeEventDecoder: the decoder of event_decoder.c on a
 * datagram the event socket received into a direct buffer from Java.
 */
#include "event_decoder.h"
#include "jni_support.h"

/*
 * Decodes raw[offset, offset + length) into records[index, capacity). Returns the records
 * written in the low 32 bits and the bytes used in the high 32 bits; 0 with an exception
 * pending when a buffer is not direct or a range lies outside its buffer.
 */
static jlong decode(JNIEnv *env, jclass cls, jobject raw, jint offset, jint length, jlong rx_nanos,
		    jobject records, jint index, jint capacity, jobject counters, jint family_id,
		    jlong type_mask, jboolean host_order_ports)
{
	(void)cls;
	size_t raw_cap, rec_cap;
	uint8_t *in = m4j_direct_buffer(env, raw, 0, &raw_cap);
	if (in == NULL)
		return 0;
	struct mptcp4j_event_record *out = m4j_direct_buffer(env, records, 0, &rec_cap);
	if (out == NULL)
		return 0;
	uint64_t *cnt = m4j_direct_buffer(env, counters,
					  MPTCP4J_COUNTER_COUNT * sizeof(uint64_t), NULL);
	if (cnt == NULL)
		return 0;
	if (offset < 0 || length < 0 || (size_t)offset + (size_t)length > raw_cap) {
		m4j_throw_illegal_argument(env, "datagram outside the raw buffer");
		return 0;
	}
	if (index < 0 || index > capacity || (size_t)capacity > rec_cap / sizeof(*out)) {
		m4j_throw_illegal_argument(env, "records outside the records buffer");
		return 0;
	}
	struct event_decoder decoder = {
		.family_id = (uint16_t)family_id,
		.host_order_ports = host_order_ports,
		.type_mask = (uint64_t)type_mask,
		.counters = cnt,
	};
	size_t consumed;
	int n = event_decoder_decode(&decoder, in + offset, (size_t)length, (uint64_t)rx_nanos,
				     out + index, capacity - index, &consumed);
	return (jlong)((uint64_t)consumed << 32 | (uint32_t)n);
}

int m4j_register_event_decoder(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"decode",
		 "(Ljava/nio/ByteBuffer;IIJLjava/nio/ByteBuffer;IILjava/nio/ByteBuffer;IJZ)J",
		 (void *)decode},
	};
	return m4j_register(env, "org/mptcp4j/netlink/NativeEventDecoder", methods,
			    M4J_ARRAY_LEN(methods));
}
