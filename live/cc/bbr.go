package cc

// bbrScheme is a placeholder until bbr lands; it is not registered.
func bbrScheme() Scheme { return Scheme{} }
