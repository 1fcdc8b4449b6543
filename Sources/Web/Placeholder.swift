// Web: placeholder until its first real file lands.
enum WebPlaceholder {}
