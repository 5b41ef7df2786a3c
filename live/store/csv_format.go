// csv_format.go owns the CSV layout shared by WriteCSV and ReadCSV.
//
// The file is one long-format table that pandas and friends read with
// comment='#':
//
//	# ccscope store v1
//	# #series,key,kind,unit,label,recent_ns,max_points,tiers,coarsest_ns,appended,clamped
//	key,tier,t_ns,last_ns,min,max,mean,count,sum
//	#series,flow/1/cwnd,gauge,bytes,cwnd,60000000000,16384,100000000x3000 1000000000x3600 10000000000x8640,10000000000,6002,0
//	flow/1/cwnd,1,0,90000000,10,19,14.5,10,145
//	flow/1/cwnd,0,100000000,100000000,20,20,20,1,20
//	...
//
// Each series is a block: a "#series" record with its metadata and
// counters, then one row per retained bucket and point, coarsest tier (the
// oldest data) first, oldest first within a tier, full-resolution points
// (tier 0) last. Columns of a row:
//
//	key      the series key
//	tier     0 for a full-resolution point, 1… for the coarse tiers (Meta.Tiers[tier-1])
//	t_ns     time of the point, or of the bucket's first value (ns of experiment time)
//	last_ns  time of the bucket's last value (= t_ns for a point)
//	min,max,mean,sum  of the bucket's values; a point has min = max = mean = sum = its value
//	count    number of values (1 for a point; 0 and empty min/max/mean/sum for a NaN point)
//
// The #series fields: kind (gauge|event), unit, label, recent_ns,
// max_points, tiers (space-separated "width_ns x buckets" pairs such as
// "100000000x3000"), coarsest_ns (the current width of the last tier, which
// doubles as it fills), appended and clamped (Stats counters).
//
// Floats use the shortest representation that parses back to the same
// float64, so a file rebuilds the exact store, and the same appends always
// export the same bytes.
package store

const (
	csvVersionLine = "# ccscope store v1"
	csvSeriesTag   = "#series"
	csvMetaComment = "# #series,key,kind,unit,label,recent_ns,max_points,tiers,coarsest_ns,appended,clamped"
	csvHeader      = "key,tier,t_ns,last_ns,min,max,mean,count,sum"
	csvSeriesLen   = 11 // fields of a #series record
	csvRowLen      = 9  // fields of a data row
)
