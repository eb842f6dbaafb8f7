module @siglip_sigmoid_loss {
  func.func @main(%img: tensor<4x3xf32>, %txt: tensor<4x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>) -> (tensor<f64>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0.25> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.multiply"(%0, %1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %3 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %4 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<4x4xi32>
    %5 = "stablehlo.compare"(%4, %3) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %6 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %7 = "stablehlo.broadcast_in_dim"(%6) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %8 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %9 = "stablehlo.broadcast_in_dim"(%8) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %10 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %11 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %12 = "stablehlo.multiply"(%10, %11) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %13 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %14 = "stablehlo.add"(%12, %13) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %15 = "stablehlo.abs"(%14) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %16 = "stablehlo.negate"(%15) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %17 = "stablehlo.exponential"(%16) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %18 = "stablehlo.negate"(%14) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %19 = "stablehlo.select"(%5, %18, %14) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %20 = "stablehlo.maximum"(%19, %7) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %21 = "stablehlo.log_plus_one"(%17) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %22 = "stablehlo.add"(%20, %21) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %23 = "stablehlo.add"(%9, %17) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %24 = "stablehlo.divide"(%9, %23) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %25 = "stablehlo.compare"(%14, %7) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %26 = "stablehlo.multiply"(%17, %24) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %27 = "stablehlo.select"(%25, %24, %26) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %28 = "stablehlo.convert"(%5) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %29 = "stablehlo.subtract"(%27, %28) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %30 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %31 = "stablehlo.multiply"(%29, %30) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %32 = "stablehlo.dot_general"(%31, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %33 = "stablehlo.dot_general"(%31, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %34 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %36 = "stablehlo.reduce"(%22, %34) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %37 = "stablehlo.convert"(%36) : (tensor<4xf32>) -> tensor<4xf64>
    %38 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %40 = "stablehlo.reduce"(%37, %38) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %41 = "stablehlo.multiply"(%29, %12) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %42 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %43 = "stablehlo.reduce"(%41, %42) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %44 = "stablehlo.convert"(%43) : (tensor<4xf32>) -> tensor<4xf64>
    %45 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %46 = "stablehlo.reduce"(%44, %45) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %47 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %48 = "stablehlo.reduce"(%29, %47) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %49 = "stablehlo.convert"(%48) : (tensor<4xf32>) -> tensor<4xf64>
    %50 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %51 = "stablehlo.reduce"(%49, %50) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %52 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %53 = "stablehlo.multiply"(%40, %52) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %54 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %55 = "stablehlo.multiply"(%46, %54) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %56 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %57 = "stablehlo.multiply"(%51, %56) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    "stablehlo.return"(%53, %32, %33, %55, %57) : (tensor<f64>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
