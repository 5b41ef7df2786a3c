package cc

// ledbatScheme is a placeholder until ledbat lands; it is not registered.
func ledbatScheme() Scheme { return Scheme{} }
