module @siglip_softmax_loss {
  func.func @main(%img: tensor<4x3xf32>, %txt: tensor<6x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>, %img_labels: tensor<4xi64>, %txt_labels: tensor<6xi64>) -> (tensor<f64>, tensor<4x3xf32>, tensor<6x3xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 4, 3>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<4x3xf32>
    %3 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 4>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<4xi64>
    %4 = "stablehlo.dot_general"(%img, %2) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %5 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %6 = "stablehlo.multiply"(%4, %5) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %7 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %8 = "stablehlo.broadcast_in_dim"(%3) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %9 = "stablehlo.compare"(%7, %8) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %10 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %12 = "stablehlo.reduce"(%6, %10) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %11 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%11) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %13 = "stablehlo.broadcast_in_dim"(%12) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %14 = "stablehlo.subtract"(%6, %13) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %15 = "stablehlo.exponential"(%14) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %16 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %18 = "stablehlo.reduce"(%15, %16) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %19 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %20 = "stablehlo.reduce"(%6, %19) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %11 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%11) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %21 = "stablehlo.broadcast_in_dim"(%20) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %22 = "stablehlo.subtract"(%6, %21) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %23 = "stablehlo.exponential"(%22) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %24 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %25 = "stablehlo.reduce"(%23, %24) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %26 = "stablehlo.convert"(%9) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %27 = "stablehlo.multiply"(%26, %6) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %28 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %29 = "stablehlo.reduce"(%26, %28) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %30 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %31 = "stablehlo.reduce"(%27, %30) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %32 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %33 = "stablehlo.reduce"(%26, %32) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %34 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %35 = "stablehlo.reduce"(%27, %34) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %36 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 6, 3>,
      start_indices = array<i64: 4, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<2x3xf32>
    %37 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 6>,
      start_indices = array<i64: 4>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<2xi64>
    %38 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %39 = "stablehlo.pad"(%36, %38) {
      edge_padding_high = array<i64: 2, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    %40 = "stablehlo.constant"() { value = dense<0> : tensor<i64> } : () -> tensor<i64>
    %41 = "stablehlo.pad"(%37, %40) {
      edge_padding_high = array<i64: 2>,
      edge_padding_low = array<i64: 0>,
      interior_padding = array<i64: 0>
    } : (tensor<2xi64>, tensor<i64>) -> tensor<4xi64>
    %42 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %43 = "stablehlo.constant"() { value = dense<2> : tensor<i32> } : () -> tensor<i32>
    %44 = "stablehlo.broadcast_in_dim"(%43) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> tensor<4x4xi32>
    %45 = "stablehlo.compare"(%42, %44) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction LT>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %46 = "stablehlo.dot_general"(%img, %39) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %47 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %48 = "stablehlo.multiply"(%46, %47) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %49 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %50 = "stablehlo.broadcast_in_dim"(%41) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %51 = "stablehlo.compare"(%49, %50) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %52 = "stablehlo.and"(%51, %45) : (tensor<4x4xi1>, tensor<4x4xi1>) -> tensor<4x4xi1>
    %53 = "stablehlo.broadcast_in_dim"(%1) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %54 = "stablehlo.select"(%45, %48, %53) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %55 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %56 = "stablehlo.reduce"(%54, %55) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %11 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%11) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %57 = "stablehlo.maximum"(%12, %56) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %58 = "stablehlo.subtract"(%12, %57) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %59 = "stablehlo.exponential"(%58) : (tensor<4xf32>) -> tensor<4xf32>
    %60 = "stablehlo.multiply"(%18, %59) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %61 = "stablehlo.broadcast_in_dim"(%57) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %62 = "stablehlo.subtract"(%54, %61) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %63 = "stablehlo.exponential"(%62) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %64 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %65 = "stablehlo.reduce"(%63, %64) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %66 = "stablehlo.add"(%60, %65) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %67 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %68 = "stablehlo.reduce"(%48, %67) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %11 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%11) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %69 = "stablehlo.broadcast_in_dim"(%68) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %70 = "stablehlo.subtract"(%48, %69) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %71 = "stablehlo.exponential"(%70) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %72 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %73 = "stablehlo.reduce"(%71, %72) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %74 = "stablehlo.convert"(%52) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %75 = "stablehlo.multiply"(%74, %48) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %76 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %77 = "stablehlo.reduce"(%74, %76) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %78 = "stablehlo.add"(%29, %77) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %79 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %80 = "stablehlo.reduce"(%75, %79) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %81 = "stablehlo.add"(%31, %80) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %82 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %83 = "stablehlo.reduce"(%74, %82) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %84 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %85 = "stablehlo.reduce"(%75, %84) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %86 = "stablehlo.concatenate"(%20, %68) { dimension = 0 : i64 } : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
    %87 = "stablehlo.reshape"(%86) : (tensor<8xf32>) -> tensor<1x8xf32>
    %88 = "stablehlo.concatenate"(%25, %73) { dimension = 0 : i64 } : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
    %89 = "stablehlo.reshape"(%88) : (tensor<8xf32>) -> tensor<1x8xf32>
    %90 = "stablehlo.concatenate"(%33, %83) { dimension = 0 : i64 } : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
    %91 = "stablehlo.reshape"(%90) : (tensor<8xf32>) -> tensor<1x8xf32>
    %92 = "stablehlo.concatenate"(%35, %85) { dimension = 0 : i64 } : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
    %93 = "stablehlo.reshape"(%92) : (tensor<8xf32>) -> tensor<1x8xf32>
    %94 = "stablehlo.concatenate"(%87, %89, %91, %93) { dimension = 0 : i64 } : (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
    %95 = "stablehlo.log"(%66) : (tensor<4xf32>) -> tensor<4xf32>
    %96 = "stablehlo.add"(%57, %95) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %97 = "stablehlo.slice"(%94) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %98 = "stablehlo.reshape"(%97) : (tensor<1x8xf32>) -> tensor<8xf32>
    %99 = "stablehlo.slice"(%94) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %100 = "stablehlo.reshape"(%99) : (tensor<1x8xf32>) -> tensor<8xf32>
    %101 = "stablehlo.slice"(%94) {
      limit_indices = array<i64: 3, 8>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %102 = "stablehlo.reshape"(%101) : (tensor<1x8xf32>) -> tensor<8xf32>
    %103 = "stablehlo.slice"(%94) {
      limit_indices = array<i64: 4, 8>,
      start_indices = array<i64: 3, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %104 = "stablehlo.reshape"(%103) : (tensor<1x8xf32>) -> tensor<8xf32>
    %105 = "stablehlo.log"(%100) : (tensor<8xf32>) -> tensor<8xf32>
    %106 = "stablehlo.add"(%98, %105) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %107 = "stablehlo.divide"(%81, %78) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %108 = "stablehlo.subtract"(%96, %107) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %109 = "stablehlo.divide"(%104, %102) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %110 = "stablehlo.subtract"(%106, %109) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %111 = "stablehlo.slice"(%110) {
      limit_indices = array<i64: 6>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<8xf32>) -> tensor<6xf32>
    %112 = "stablehlo.convert"(%108) : (tensor<4xf32>) -> tensor<4xf64>
    %113 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %115 = "stablehlo.reduce"(%112, %113) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %114 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%114) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %116 = "stablehlo.constant"() { value = dense<0.125> : tensor<f64> } : () -> tensor<f64>
    %117 = "stablehlo.multiply"(%115, %116) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %118 = "stablehlo.convert"(%111) : (tensor<6xf32>) -> tensor<6xf64>
    %119 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %120 = "stablehlo.reduce"(%118, %119) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %114 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%114) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<6xf64>, tensor<f64>) -> tensor<f64>
    %121 = "stablehlo.constant"() { value = dense<0.08333333333333333> : tensor<f64> } : () -> tensor<f64>
    %122 = "stablehlo.multiply"(%120, %121) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %123 = "stablehlo.add"(%117, %122) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %124 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %125 = "stablehlo.broadcast_in_dim"(%124) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %126 = "stablehlo.divide"(%125, %78) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %127 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %128 = "stablehlo.broadcast_in_dim"(%127) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %129 = "stablehlo.divide"(%128, %102) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %130 = "stablehlo.reshape"(%106) : (tensor<8xf32>) -> tensor<1x8xf32>
    %131 = "stablehlo.reshape"(%129) : (tensor<8xf32>) -> tensor<1x8xf32>
    %132 = "stablehlo.concatenate"(%130, %131) { dimension = 0 : i64 } : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
    %133 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 4, 3>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<4x3xf32>
    %134 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 4>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<4xi64>
    %135 = "stablehlo.dot_general"(%img, %133) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %136 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %137 = "stablehlo.multiply"(%135, %136) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %138 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %139 = "stablehlo.broadcast_in_dim"(%134) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %140 = "stablehlo.compare"(%138, %139) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %141 = "stablehlo.slice"(%132) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x4xf32>
    %142 = "stablehlo.reshape"(%141) : (tensor<1x4xf32>) -> tensor<4xf32>
    %143 = "stablehlo.broadcast_in_dim"(%96) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %144 = "stablehlo.subtract"(%137, %143) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %145 = "stablehlo.exponential"(%144) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %146 = "stablehlo.broadcast_in_dim"(%142) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %147 = "stablehlo.subtract"(%137, %146) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %148 = "stablehlo.exponential"(%147) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %149 = "stablehlo.convert"(%140) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %150 = "stablehlo.broadcast_in_dim"(%126) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %151 = "stablehlo.multiply"(%149, %150) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %152 = "stablehlo.subtract"(%145, %151) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %153 = "stablehlo.slice"(%132) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x4xf32>
    %154 = "stablehlo.reshape"(%153) : (tensor<1x4xf32>) -> tensor<4xf32>
    %155 = "stablehlo.broadcast_in_dim"(%154) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %156 = "stablehlo.multiply"(%149, %155) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %157 = "stablehlo.subtract"(%148, %156) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %158 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %159 = "stablehlo.broadcast_in_dim"(%158) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %160 = "stablehlo.multiply"(%152, %159) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %161 = "stablehlo.constant"() { value = dense<0.0833333358168602> : tensor<f32> } : () -> tensor<f32>
    %162 = "stablehlo.broadcast_in_dim"(%161) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %163 = "stablehlo.multiply"(%157, %162) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %164 = "stablehlo.add"(%160, %163) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %165 = "stablehlo.multiply"(%164, %137) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %166 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %167 = "stablehlo.reduce"(%165, %166) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %168 = "stablehlo.convert"(%167) : (tensor<4xf32>) -> tensor<4xf64>
    %169 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %170 = "stablehlo.reduce"(%168, %169) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %114 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%114) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %171 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %172 = "stablehlo.multiply"(%164, %171) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %173 = "stablehlo.dot_general"(%172, %133) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %174 = "stablehlo.dot_general"(%172, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %175 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 6, 3>,
      start_indices = array<i64: 4, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<2x3xf32>
    %176 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 6>,
      start_indices = array<i64: 4>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<2xi64>
    %177 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %178 = "stablehlo.pad"(%175, %177) {
      edge_padding_high = array<i64: 2, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    %179 = "stablehlo.constant"() { value = dense<0> : tensor<i64> } : () -> tensor<i64>
    %180 = "stablehlo.pad"(%176, %179) {
      edge_padding_high = array<i64: 2>,
      edge_padding_low = array<i64: 0>,
      interior_padding = array<i64: 0>
    } : (tensor<2xi64>, tensor<i64>) -> tensor<4xi64>
    %181 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %182 = "stablehlo.constant"() { value = dense<2> : tensor<i32> } : () -> tensor<i32>
    %183 = "stablehlo.broadcast_in_dim"(%182) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> tensor<4x4xi32>
    %184 = "stablehlo.compare"(%181, %183) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction LT>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %185 = "stablehlo.dot_general"(%img, %178) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %186 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %187 = "stablehlo.multiply"(%185, %186) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %188 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %189 = "stablehlo.broadcast_in_dim"(%180) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %190 = "stablehlo.compare"(%188, %189) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %191 = "stablehlo.and"(%190, %184) : (tensor<4x4xi1>, tensor<4x4xi1>) -> tensor<4x4xi1>
    %192 = "stablehlo.slice"(%132) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 4>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x4xf32>
    %193 = "stablehlo.reshape"(%192) : (tensor<1x4xf32>) -> tensor<4xf32>
    %194 = "stablehlo.broadcast_in_dim"(%96) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %195 = "stablehlo.subtract"(%187, %194) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %196 = "stablehlo.exponential"(%195) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %197 = "stablehlo.broadcast_in_dim"(%193) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %198 = "stablehlo.subtract"(%187, %197) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %199 = "stablehlo.exponential"(%198) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %200 = "stablehlo.convert"(%191) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %201 = "stablehlo.broadcast_in_dim"(%126) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %202 = "stablehlo.multiply"(%200, %201) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %203 = "stablehlo.subtract"(%196, %202) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %204 = "stablehlo.slice"(%132) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 4>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x4xf32>
    %205 = "stablehlo.reshape"(%204) : (tensor<1x4xf32>) -> tensor<4xf32>
    %206 = "stablehlo.broadcast_in_dim"(%205) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %207 = "stablehlo.multiply"(%200, %206) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %208 = "stablehlo.subtract"(%199, %207) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %209 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %210 = "stablehlo.broadcast_in_dim"(%209) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %211 = "stablehlo.multiply"(%203, %210) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %212 = "stablehlo.constant"() { value = dense<0.0833333358168602> : tensor<f32> } : () -> tensor<f32>
    %213 = "stablehlo.broadcast_in_dim"(%212) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %214 = "stablehlo.multiply"(%208, %213) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %215 = "stablehlo.add"(%211, %214) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %216 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %217 = "stablehlo.broadcast_in_dim"(%216) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %218 = "stablehlo.select"(%184, %215, %217) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %219 = "stablehlo.multiply"(%218, %187) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %220 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %221 = "stablehlo.reduce"(%219, %220) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %17 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%17) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %222 = "stablehlo.convert"(%221) : (tensor<4xf32>) -> tensor<4xf64>
    %223 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %224 = "stablehlo.reduce"(%222, %223) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %114 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%114) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %225 = "stablehlo.add"(%170, %224) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %226 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %227 = "stablehlo.multiply"(%218, %226) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %228 = "stablehlo.dot_general"(%227, %178) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %229 = "stablehlo.add"(%173, %228) : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %230 = "stablehlo.dot_general"(%227, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %231 = "stablehlo.concatenate"(%174, %230) { dimension = 0 : i64 } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %232 = "stablehlo.slice"(%231) {
      limit_indices = array<i64: 6, 3>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<8x3xf32>) -> tensor<6x3xf32>
    %233 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    "stablehlo.return"(%123, %229, %232, %225, %233) : (tensor<f64>, tensor<4x3xf32>, tensor<6x3xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
