#!/bin/sh
# The machine's own apt sources: the project takes its mirrors from here
# rather than naming one. Reads APT_DIR (default /etc/apt): sources.list
# and sources.list.d/*.list (one-line format), sources.list.d/*.sources
# (deb822), as Debian 12 and 13 write them.
#   apt-sources.sh [APT_DIR]
#     one line per enabled entry and suite:
#     TYPE URI SUITE SIGNED-BY COMPONENTS...   (SIGNED-BY "-" when unset)
#   apt-sources.sh --deb-src CODENAME [APT_DIR]
#     deb822 deb-src twins of the deb entries of CODENAME and its
#     -updates/-security suites; nothing if there are none.
#   apt-sources.sh --uri SUITE [APT_DIR]
#     the URI of the first deb entry for SUITE; nothing if there is none.
set -eu
if [ "${1:-}" = --uri ]; then
	"$0" "${3:-/etc/apt}" |
		awk -v s="$2" '$1 == "deb" && $3 == s { print $2; exit }'
	exit
fi
if [ "${1:-}" = --deb-src ]; then
	"$0" "${3:-/etc/apt}" | awk -v c="$2" '
	$1 == "deb" && ($3 == c || index($3, c "-") == 1) &&
	!seen[$2 " " $3]++ {
		comps = $5
		for (i = 6; i <= NF; i++)
			comps = comps " " $i
		print "Types: deb-src"
		print "URIs: " $2
		print "Suites: " $3
		print "Components: " comps
		if ($4 != "-")
			print "Signed-By: " $4
		print ""
	}'
	exit
fi
dir=${1:-/etc/apt}
for f in "$dir/sources.list" "$dir"/sources.list.d/*.list \
	 "$dir"/sources.list.d/*.sources; do
	[ -f "$f" ] && printf '%s\n' "$f"
done | while read -r f; do
	case $f in
	*.sources) fmt=deb822 ;;
	*) fmt=line ;;
	esac
	awk -v fmt="$fmt" '
	function emit(   i, j, k, nt, nu, ns, t, u, s, key) {
		if (tolower(f["enabled"]) == "no")
			return
		nt = split(f["types"], t, " ")
		nu = split(f["uris"], u, " ")
		ns = split(f["suites"], s, " ")
		key = f["signed-by"] == "" ? "-" : f["signed-by"]
		for (i = 1; i <= nt; i++)
			for (j = 1; j <= nu; j++)
				for (k = 1; k <= ns; k++)
					print t[i], u[j], s[k], key, \
					      f["components"]
	}
	# deb822: "Field: value" paragraphs; an inline key (continuation
	# lines) cannot travel on one line, apt then uses its keyrings.
	fmt == "deb822" && /^#/ { next }
	fmt == "deb822" && /^[ \t]*$/ { emit(); split("", f); next }
	fmt == "deb822" && /^[ \t]/ { next }
	fmt == "deb822" {
		k = tolower(substr($0, 1, index($0, ":") - 1))
		v = substr($0, index($0, ":") + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", v)
		f[k] = v
		next
	}
	# one line: TYPE [OPTIONS] URI SUITE COMPONENTS...
	fmt == "line" {
		sub(/#.*/, "")
		if ($1 != "deb" && $1 != "deb-src")
			next
		split("", f)
		f["types"] = $1
		i = 2
		if ($2 ~ /^\[/) {
			for (; i <= NF; i++) {
				o = $i
				gsub(/[][]/, "", o)
				if (o ~ /^signed-by=/)
					f["signed-by"] = substr(o, 11)
				if ($i ~ /\]$/)
					break
			}
			i++
		}
		f["uris"] = $i
		f["suites"] = $(i + 1)
		for (i += 2; i <= NF; i++)
			f["components"] = f["components"] " " $i
		sub(/^ /, "", f["components"])
		emit()
	}
	END { if (fmt == "deb822") emit() }
	' "$f"
done
