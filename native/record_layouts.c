/* Layout tables for org.mptcp4j.netlink.RecordLayouts, which checks its Java mirrors against them. */
#include "jni_support.h"

#include "mptcp4j/command_reply.h"
#include "mptcp4j/command_request.h"
#include "mptcp4j/event_record.h"
#include "mptcp4j/kernel_feature_probe.h"
#include "mptcp4j/local_address.h"
#include "mptcp4j/diag_record.h"

static jintArray to_java(JNIEnv *env, const jint *values, int count)
{
	jintArray array = (*env)->NewIntArray(env, count);
	if (array != NULL)
		(*env)->SetIntArrayRegion(env, array, 0, count, values);
	return array;
}

static jintArray event_record_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_EVENT_RECORD_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

static jintArray command_request_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_COMMAND_REQUEST_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

static jintArray command_reply_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_COMMAND_REPLY_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

static jintArray diag_record_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_DIAG_RECORD_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

static jintArray local_address_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_LOCAL_ADDRESS_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

static jintArray kernel_features_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	static const jint layout[] = MPTCP4J_KERNEL_FEATURES_LAYOUT;
	return to_java(env, layout, M4J_ARRAY_LEN(layout));
}

int m4j_register_record_layouts(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"eventRecordLayout", "()[I", (void *)event_record_layout},
		{"commandRequestLayout", "()[I", (void *)command_request_layout},
		{"commandReplyLayout", "()[I", (void *)command_reply_layout},
		{"diagRecordLayout", "()[I", (void *)diag_record_layout},
		{"localAddressLayout", "()[I", (void *)local_address_layout},
		{"kernelFeaturesLayout", "()[I", (void *)kernel_features_layout},
	};
	return m4j_register(env, "org/mptcp4j/netlink/RecordLayouts", methods, M4J_ARRAY_LEN(methods));
}
