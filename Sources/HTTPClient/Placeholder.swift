// HTTPClient: placeholder until its first real file lands.
enum HTTPClientPlaceholder {}
