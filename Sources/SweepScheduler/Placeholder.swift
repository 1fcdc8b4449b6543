// SweepScheduler: placeholder until its first real file lands.
enum SweepSchedulerPlaceholder {}
