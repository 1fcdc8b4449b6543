import Glibc

/// CPU time this thread has used. Evaluation bounds are about work done, not about how busy the machine is: a
/// wall clock fails them on a loaded host (other processes' time), the thread's CPU clock does not.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
