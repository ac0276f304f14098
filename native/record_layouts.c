/* The event record's layout for org.mptcp4j.netlink.RecordLayouts, which checks its Java mirror against it. */
#include "jni_support.h"

#include "mptcp4j/event_record.h"

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

int m4j_register_record_layouts(JNIEnv *env)
{
	static const JNINativeMethod methods[] = {
		{"eventRecordLayout", "()[I", (void *)event_record_layout},
	};
	return m4j_register(env, "org/mptcp4j/netlink/RecordLayouts", methods, M4J_ARRAY_LEN(methods));
}
