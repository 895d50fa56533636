# bench/lib.sh: what the benchmark scripts share; sourced by bench/run,
# bench/demo.sh, bench/sync.sh and bench/screens.sh (bash).

# ---- arithmetic on decimal numbers, through awk

fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# a / b with the given number of decimals; "n/a" when b is 0
fdiv() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }
# 1 when a <op> b holds (op: < <= >=), else 0; 0 when a figure is missing
fcmp() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
	if (a == "n/a" || b == "n/a" || a == "" || b == "") { print 0; exit }
	r = (op == "<") ? a < b : (op == "<=") ? a <= b : (op == ">=") ? a >= b : 0
	print r ? 1 : 0 }'; }
# a number of bytes for people
human() { awk -v b="$1" 'BEGIN {
	if (b >= 1073741824) printf "%.2f GiB", b / 1073741824
	else if (b >= 1048576) printf "%.1f MiB", b / 1048576
	else if (b >= 1024) printf "%.1f KiB", b / 1024
	else printf "%d B", b }'; }
# a count with thousands separated: 1,000,000
count() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = "";
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
	print s o }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f%%", 100 * a / b }'; }
# the median of the numbers given as arguments ("n/a" when none)
median() { printf '%s\n' "$@" | sort -g | awk 'NF { v[++n] = $1 } END { if (n) print v[int((n + 1) / 2)]; else print "n/a" }'; }

# Stop a process and its descendants: GNU time, killed, leaves the program
# it measures running. Children are found through /proc/PID/stat (its
# fourth field, after the command name in parentheses, is the parent).
kill_tree() {
	local pid=$1 st s ppid
	for st in /proc/[0-9]*/stat; do
		s=$(cat "$st" 2>/dev/null) || continue
		s=${s##*) }
		ppid=${s#* }
		ppid=${ppid%% *}
		if [ "$ppid" = "$pid" ]; then
			st=${st#/proc/}
			kill_tree "${st%/stat}"
		fi
	done
	kill "$pid" 2>/dev/null || true
}
