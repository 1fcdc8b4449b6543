// SweepStore: placeholder until its first real file lands.
enum SweepStorePlaceholder {}
