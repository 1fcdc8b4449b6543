// SweepAPI: placeholder until its first real file lands.
enum SweepAPIPlaceholder {}
