#include "jni_support.h"

int m4j_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count)
{
	jclass cls = (*env)->FindClass(env, class_name);
	if (cls == NULL)
		return -1;
	jint rc = (*env)->RegisterNatives(env, cls, methods, count);
	(*env)->DeleteLocalRef(env, cls);
	return rc == JNI_OK ? 0 : -1;
}




void m4j_throw_illegal_argument(JNIEnv *env, const char *message)
{
	jclass cls = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
	if (cls != NULL)
		(*env)->ThrowNew(env, cls, message);
}

int m4j_channel_fd(JNIEnv *env, jobject channel)
{
	jclass type = (*env)->GetObjectClass(env, channel);
	if (type == NULL)
		return -1;
	jfieldID field = (*env)->GetFieldID(env, type, "fdVal", "I");
	(*env)->DeleteLocalRef(env, type);
	if (field == NULL) {
		(*env)->ExceptionClear(env);
		m4j_throw_illegal_argument(env, "not a JDK socket channel (no fdVal field)");
		return -1;
	}
	return (*env)->GetIntField(env, channel, field);
}

void *m4j_direct_buffer(JNIEnv *env, jobject buffer, size_t min_size, size_t *capacity)
{
	if (buffer == NULL) {
		m4j_throw_illegal_argument(env, "buffer is null");
		return NULL;
	}
	void *address = (*env)->GetDirectBufferAddress(env, buffer);
	jlong size = (*env)->GetDirectBufferCapacity(env, buffer);
	if (address == NULL || size < 0) {
		m4j_throw_illegal_argument(env, "buffer is not a direct buffer");
		return NULL;
	}
	if ((size_t)size < min_size) {
		m4j_throw_illegal_argument(env, "buffer is too small");
		return NULL;
	}
	if (capacity != NULL)
		*capacity = (size_t)size;
	return address;
}


