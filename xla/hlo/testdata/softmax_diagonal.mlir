module @siglip_softmax_loss {
  func.func @main(%img: tensor<4x3xf32>, %txt: tensor<4x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>) -> (tensor<f64>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %3 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %4 = "stablehlo.multiply"(%2, %3) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %5 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %6 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<4x4xi32>
    %7 = "stablehlo.compare"(%6, %5) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %8 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %10 = "stablehlo.reduce"(%4, %8) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %11 = "stablehlo.broadcast_in_dim"(%10) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %12 = "stablehlo.subtract"(%4, %11) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %13 = "stablehlo.exponential"(%12) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %14 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %16 = "stablehlo.reduce"(%13, %14) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %17 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %18 = "stablehlo.reduce"(%4, %17) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %19 = "stablehlo.broadcast_in_dim"(%18) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %20 = "stablehlo.subtract"(%4, %19) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %21 = "stablehlo.exponential"(%20) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %22 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %23 = "stablehlo.reduce"(%21, %22) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %24 = "stablehlo.convert"(%7) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %25 = "stablehlo.multiply"(%24, %4) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %26 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %27 = "stablehlo.reduce"(%24, %26) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %28 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %29 = "stablehlo.reduce"(%25, %28) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %30 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %31 = "stablehlo.reduce"(%24, %30) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %32 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %33 = "stablehlo.reduce"(%25, %32) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %34 = "stablehlo.reshape"(%18) : (tensor<4xf32>) -> tensor<1x4xf32>
    %35 = "stablehlo.reshape"(%23) : (tensor<4xf32>) -> tensor<1x4xf32>
    %36 = "stablehlo.reshape"(%31) : (tensor<4xf32>) -> tensor<1x4xf32>
    %37 = "stablehlo.reshape"(%33) : (tensor<4xf32>) -> tensor<1x4xf32>
    %38 = "stablehlo.concatenate"(%34, %35, %36, %37) { dimension = 0 : i64 } : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<4x4xf32>
    %39 = "stablehlo.log"(%16) : (tensor<4xf32>) -> tensor<4xf32>
    %40 = "stablehlo.add"(%10, %39) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %41 = "stablehlo.slice"(%38) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<1x4xf32>
    %42 = "stablehlo.reshape"(%41) : (tensor<1x4xf32>) -> tensor<4xf32>
    %43 = "stablehlo.slice"(%38) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<1x4xf32>
    %44 = "stablehlo.reshape"(%43) : (tensor<1x4xf32>) -> tensor<4xf32>
    %45 = "stablehlo.slice"(%38) {
      limit_indices = array<i64: 3, 4>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<1x4xf32>
    %46 = "stablehlo.reshape"(%45) : (tensor<1x4xf32>) -> tensor<4xf32>
    %47 = "stablehlo.slice"(%38) {
      limit_indices = array<i64: 4, 4>,
      start_indices = array<i64: 3, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<1x4xf32>
    %48 = "stablehlo.reshape"(%47) : (tensor<1x4xf32>) -> tensor<4xf32>
    %49 = "stablehlo.log"(%44) : (tensor<4xf32>) -> tensor<4xf32>
    %50 = "stablehlo.add"(%42, %49) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %51 = "stablehlo.divide"(%29, %27) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %52 = "stablehlo.subtract"(%40, %51) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %53 = "stablehlo.divide"(%48, %46) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %54 = "stablehlo.subtract"(%50, %53) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %55 = "stablehlo.convert"(%52) : (tensor<4xf32>) -> tensor<4xf64>
    %56 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %58 = "stablehlo.reduce"(%55, %56) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %57 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%57) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %59 = "stablehlo.constant"() { value = dense<0.125> : tensor<f64> } : () -> tensor<f64>
    %60 = "stablehlo.multiply"(%58, %59) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %61 = "stablehlo.convert"(%54) : (tensor<4xf32>) -> tensor<4xf64>
    %62 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %63 = "stablehlo.reduce"(%61, %62) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %57 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%57) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %64 = "stablehlo.constant"() { value = dense<0.125> : tensor<f64> } : () -> tensor<f64>
    %65 = "stablehlo.multiply"(%63, %64) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %66 = "stablehlo.add"(%60, %65) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %67 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %68 = "stablehlo.broadcast_in_dim"(%67) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %69 = "stablehlo.divide"(%68, %27) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %70 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %71 = "stablehlo.broadcast_in_dim"(%70) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %72 = "stablehlo.divide"(%71, %46) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %73 = "stablehlo.reshape"(%50) : (tensor<4xf32>) -> tensor<1x4xf32>
    %74 = "stablehlo.reshape"(%72) : (tensor<4xf32>) -> tensor<1x4xf32>
    %75 = "stablehlo.concatenate"(%73, %74) { dimension = 0 : i64 } : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
    %76 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %77 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %78 = "stablehlo.multiply"(%76, %77) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %79 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %80 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<4x4xi32>
    %81 = "stablehlo.compare"(%80, %79) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %82 = "stablehlo.slice"(%75) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %83 = "stablehlo.reshape"(%82) : (tensor<1x4xf32>) -> tensor<4xf32>
    %84 = "stablehlo.broadcast_in_dim"(%40) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %85 = "stablehlo.subtract"(%78, %84) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %86 = "stablehlo.exponential"(%85) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %87 = "stablehlo.broadcast_in_dim"(%83) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %88 = "stablehlo.subtract"(%78, %87) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %89 = "stablehlo.exponential"(%88) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %90 = "stablehlo.convert"(%81) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %91 = "stablehlo.broadcast_in_dim"(%69) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %92 = "stablehlo.multiply"(%90, %91) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %93 = "stablehlo.subtract"(%86, %92) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %94 = "stablehlo.slice"(%75) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %95 = "stablehlo.reshape"(%94) : (tensor<1x4xf32>) -> tensor<4xf32>
    %96 = "stablehlo.broadcast_in_dim"(%95) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %97 = "stablehlo.multiply"(%90, %96) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %98 = "stablehlo.subtract"(%89, %97) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %99 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %100 = "stablehlo.broadcast_in_dim"(%99) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %101 = "stablehlo.multiply"(%93, %100) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %102 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %103 = "stablehlo.broadcast_in_dim"(%102) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %104 = "stablehlo.multiply"(%98, %103) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %105 = "stablehlo.add"(%101, %104) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %106 = "stablehlo.multiply"(%105, %78) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %107 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %108 = "stablehlo.reduce"(%106, %107) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %109 = "stablehlo.convert"(%108) : (tensor<4xf32>) -> tensor<4xf64>
    %110 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %111 = "stablehlo.reduce"(%109, %110) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %57 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%57) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %112 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %113 = "stablehlo.multiply"(%105, %112) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %114 = "stablehlo.dot_general"(%113, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %115 = "stablehlo.dot_general"(%113, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %116 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    "stablehlo.return"(%66, %114, %115, %111, %116) : (tensor<f64>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
