// SweepModel: placeholder until its first real file lands.
enum SweepModelPlaceholder {}
