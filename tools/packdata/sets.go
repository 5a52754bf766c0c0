package main

import "convplay/dataset"

// setInfo is what the packer knows about a data set beyond its pixels.
type setInfo struct {
	title       string // for npm input; IDX input gets idxTitle
	idxTitle    string
	license     string // SPDX id
	attribution string
	classes     []dataset.Class
}

var sets = map[string]setInfo{
	"fashion": {
		title:    "Fashion-MNIST (2017 original release)",
		idxTitle: "Fashion-MNIST (official IDX files)",
		license:  "MIT",
		attribution: "Fashion-MNIST by Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando Research (2017), " +
			"https://github.com/zalandoresearch/fashion-mnist. Copyright (c) 2017 Zalando SE, MIT License.",
		classes: []dataset.Class{
			{En: "T-shirt/top", Zh: "T恤/上衣"},
			{En: "Trouser", Zh: "裤子"},
			{En: "Pullover", Zh: "套头衫"},
			{En: "Dress", Zh: "连衣裙"},
			{En: "Coat", Zh: "外套"},
			{En: "Sandal", Zh: "凉鞋"},
			{En: "Shirt", Zh: "衬衫"},
			{En: "Sneaker", Zh: "运动鞋"},
			{En: "Bag", Zh: "包"},
			{En: "Ankle boot", Zh: "短靴"},
		},
	},
	"digits": {
		title:    "MNIST handwritten digits",
		idxTitle: "MNIST handwritten digits",
		license:  "CC-BY-SA-3.0",
		attribution: "The MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and " +
			"Christopher J. C. Burges, http://yann.lecun.com/exdb/mnist/, licensed under the Creative Commons " +
			"Attribution-Share Alike 3.0 license (https://creativecommons.org/licenses/by-sa/3.0/). " +
			"convplay splits and recompresses it; the images and labels are unchanged.",
		classes: []dataset.Class{
			{En: "0", Zh: "零"}, {En: "1", Zh: "一"}, {En: "2", Zh: "二"}, {En: "3", Zh: "三"}, {En: "4", Zh: "四"},
			{En: "5", Zh: "五"}, {En: "6", Zh: "六"}, {En: "7", Zh: "七"}, {En: "8", Zh: "八"}, {En: "9", Zh: "九"},
		},
	},
}
