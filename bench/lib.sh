# Shell helpers shared by the bench/ scripts (sourced).

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
