/* Preloaded before libfaketime by tests/simulators/faketime.py.
 *
 * libfaketime 0.9.10 makes clock_nanosleep fail with EINVAL when monotonic clocks are not
 * faked, and Python 3.13's time.sleep() uses clock_nanosleep; faking monotonic clocks instead
 * makes timed waits on locks hang. So monotonic clocks stay real and sleeps go straight to the
 * kernel, which is right for them: a sleep lasts real time. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *request,
                    struct timespec *remain) {
    long result = syscall(SYS_clock_nanosleep, clock_id, flags, request, remain);
    return result == 0 ? 0 : errno;
}
