module github.com/siglip-go/siglip

go 1.26
