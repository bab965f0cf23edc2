module arithgo

go 1.19
