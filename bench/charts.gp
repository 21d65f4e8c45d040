# The charts of bench/README.md, drawn by bench/run from its data files:
#   gnuplot -e "data='OUTDIR'; out='RESULTSDIR'; nratios=N; nreuse=M; cpus=C; bulksize=B" charts.gp
# ratios.dat: one row per scenario, one column per implementation (× raw C).
# bulk.dat: one row per bulk test and implementation (× the test's C baseline).
# reuseport.dat: one row per process count, one column per implementation (msg/s).
set terminal svg size 960,440 dynamic noenhanced font "sans,12" background rgb "white"
set datafile missing "?"
set grid ytics
set key outside right top

set output out."/ratios.svg"
set title "Throughput relative to raw C libuv, same run (above 1 is faster)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel "× raw C libuv"
set yrange [0:*]
set xtics nomirror
plot for [i=2:nratios+1] data."/ratios.dat" using i:xtic(1) title columnheader(i), \
     1 with lines dt 2 lc rgb "black" notitle

set output out."/bulk.svg"
set title sprintf("Bulk I/O, %d B datagrams: each ratio to the C baseline of its test (sendmmsg sender, recvmmsg sink)", bulksize)
set style histogram clustered gap 1
set ylabel "× C baseline"
set xtics rotate by -20
plot data."/bulk.dat" using 2:xtic(1) title "msg/s ratio" lc rgb "#4682b4", \
     1 with lines dt 2 lc rgb "black" notitle
set xtics norotate

set output out."/reuseport.svg"
set title sprintf("Echo 64 B, W=64, with N reusePort processes on one port (%d CPUs)", cpus)
set style data linespoints
set xlabel "processes (N)"
set ylabel "echoed datagrams per second"
set xtics 1
set yrange [0:*]
set format y "%.0s%c"
plot for [i=2:nreuse+1] data."/reuseport.dat" using 1:i title columnheader(i) lw 2 pt 7
