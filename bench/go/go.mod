module arithbench

go 1.19
