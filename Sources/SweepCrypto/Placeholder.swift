// SweepCrypto: placeholder until its first real file lands.
enum SweepCryptoPlaceholder {}
