module @siglip_sigmoid_loss_ring attributes {stablehlo.num_replicas = 3} {
  func.func @main(%img: tensor<2x3xf32>, %txt: tensor<2x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>) -> (tensor<f64>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0.1666666716337204> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.multiply"(%0, %1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %3 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<2x2xi32>
    %4 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<2x2xi32>
    %5 = "stablehlo.compare"(%4, %3) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi1>
    %6 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %7 = "stablehlo.broadcast_in_dim"(%6) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %8 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %9 = "stablehlo.broadcast_in_dim"(%8) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %10 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
    %11 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %12 = "stablehlo.multiply"(%10, %11) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %13 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %14 = "stablehlo.add"(%12, %13) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %15 = "stablehlo.abs"(%14) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %16 = "stablehlo.negate"(%15) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %17 = "stablehlo.exponential"(%16) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %18 = "stablehlo.negate"(%14) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %19 = "stablehlo.select"(%5, %18, %14) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %20 = "stablehlo.maximum"(%19, %7) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %21 = "stablehlo.log_plus_one"(%17) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %22 = "stablehlo.add"(%20, %21) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %23 = "stablehlo.add"(%9, %17) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %24 = "stablehlo.divide"(%9, %23) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %25 = "stablehlo.compare"(%14, %7) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %26 = "stablehlo.multiply"(%17, %24) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %27 = "stablehlo.select"(%25, %24, %26) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %28 = "stablehlo.convert"(%5) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %29 = "stablehlo.subtract"(%27, %28) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %30 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %31 = "stablehlo.multiply"(%29, %30) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %32 = "stablehlo.dot_general"(%31, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %33 = "stablehlo.dot_general"(%31, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %34 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %36 = "stablehlo.reduce"(%22, %34) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %37 = "stablehlo.convert"(%36) : (tensor<2xf32>) -> tensor<2xf64>
    %38 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %40 = "stablehlo.reduce"(%37, %38) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %41 = "stablehlo.multiply"(%29, %12) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %42 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %43 = "stablehlo.reduce"(%41, %42) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %44 = "stablehlo.convert"(%43) : (tensor<2xf32>) -> tensor<2xf64>
    %45 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %46 = "stablehlo.reduce"(%44, %45) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %47 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %48 = "stablehlo.reduce"(%29, %47) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %49 = "stablehlo.convert"(%48) : (tensor<2xf32>) -> tensor<2xf64>
    %50 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %51 = "stablehlo.reduce"(%49, %50) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %52 = "stablehlo.collective_permute"(%txt) { source_target_pairs = dense<[[0, 1], [1, 2], [2, 0]]> : tensor<3x2xi64> } : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %53 = "stablehlo.collective_permute"(%33) { source_target_pairs = dense<[[0, 1], [1, 2], [2, 0]]> : tensor<3x2xi64> } : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %54 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %55 = "stablehlo.broadcast_in_dim"(%54) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %56 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %57 = "stablehlo.broadcast_in_dim"(%56) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %58 = "stablehlo.dot_general"(%img, %52) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
    %59 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %60 = "stablehlo.multiply"(%58, %59) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %61 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %62 = "stablehlo.add"(%60, %61) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %63 = "stablehlo.abs"(%62) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %64 = "stablehlo.negate"(%63) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %65 = "stablehlo.exponential"(%64) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %66 = "stablehlo.maximum"(%62, %55) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %67 = "stablehlo.log_plus_one"(%65) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %68 = "stablehlo.add"(%66, %67) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %69 = "stablehlo.add"(%57, %65) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %70 = "stablehlo.divide"(%57, %69) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %71 = "stablehlo.compare"(%62, %55) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %72 = "stablehlo.multiply"(%65, %70) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %73 = "stablehlo.select"(%71, %70, %72) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %74 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %75 = "stablehlo.multiply"(%73, %74) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %76 = "stablehlo.dot_general"(%75, %52) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %77 = "stablehlo.dot_general"(%75, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %78 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %79 = "stablehlo.reduce"(%68, %78) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %80 = "stablehlo.convert"(%79) : (tensor<2xf32>) -> tensor<2xf64>
    %81 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %82 = "stablehlo.reduce"(%80, %81) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %83 = "stablehlo.multiply"(%73, %60) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %84 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %85 = "stablehlo.reduce"(%83, %84) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %86 = "stablehlo.convert"(%85) : (tensor<2xf32>) -> tensor<2xf64>
    %87 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %88 = "stablehlo.reduce"(%86, %87) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %89 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %90 = "stablehlo.reduce"(%73, %89) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %91 = "stablehlo.convert"(%90) : (tensor<2xf32>) -> tensor<2xf64>
    %92 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %93 = "stablehlo.reduce"(%91, %92) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %94 = "stablehlo.add"(%32, %76) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %95 = "stablehlo.add"(%40, %82) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %96 = "stablehlo.add"(%46, %88) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %97 = "stablehlo.add"(%51, %93) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %98 = "stablehlo.add"(%53, %77) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %99 = "stablehlo.collective_permute"(%52) { source_target_pairs = dense<[[0, 1], [1, 2], [2, 0]]> : tensor<3x2xi64> } : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %100 = "stablehlo.collective_permute"(%98) { source_target_pairs = dense<[[0, 1], [1, 2], [2, 0]]> : tensor<3x2xi64> } : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %101 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %102 = "stablehlo.broadcast_in_dim"(%101) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %103 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %104 = "stablehlo.broadcast_in_dim"(%103) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %105 = "stablehlo.dot_general"(%img, %99) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
    %106 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %107 = "stablehlo.multiply"(%105, %106) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %108 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %109 = "stablehlo.add"(%107, %108) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %110 = "stablehlo.abs"(%109) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %111 = "stablehlo.negate"(%110) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %112 = "stablehlo.exponential"(%111) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %113 = "stablehlo.maximum"(%109, %102) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %114 = "stablehlo.log_plus_one"(%112) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %115 = "stablehlo.add"(%113, %114) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %116 = "stablehlo.add"(%104, %112) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %117 = "stablehlo.divide"(%104, %116) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %118 = "stablehlo.compare"(%109, %102) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %119 = "stablehlo.multiply"(%112, %117) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %120 = "stablehlo.select"(%118, %117, %119) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %121 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %122 = "stablehlo.multiply"(%120, %121) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %123 = "stablehlo.dot_general"(%122, %99) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %124 = "stablehlo.dot_general"(%122, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %125 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %126 = "stablehlo.reduce"(%115, %125) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %127 = "stablehlo.convert"(%126) : (tensor<2xf32>) -> tensor<2xf64>
    %128 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %129 = "stablehlo.reduce"(%127, %128) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %130 = "stablehlo.multiply"(%120, %107) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %131 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %132 = "stablehlo.reduce"(%130, %131) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %133 = "stablehlo.convert"(%132) : (tensor<2xf32>) -> tensor<2xf64>
    %134 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %135 = "stablehlo.reduce"(%133, %134) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %136 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %137 = "stablehlo.reduce"(%120, %136) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %35 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%35) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %138 = "stablehlo.convert"(%137) : (tensor<2xf32>) -> tensor<2xf64>
    %139 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %140 = "stablehlo.reduce"(%138, %139) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %39 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%39) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %141 = "stablehlo.add"(%94, %123) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %142 = "stablehlo.add"(%95, %129) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %143 = "stablehlo.add"(%96, %135) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %144 = "stablehlo.add"(%97, %140) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %145 = "stablehlo.add"(%100, %124) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %146 = "stablehlo.constant"() { value = dense<0.16666666666666666> : tensor<f64> } : () -> tensor<f64>
    %147 = "stablehlo.multiply"(%142, %146) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %148 = "stablehlo.constant"() { value = dense<0.16666666666666666> : tensor<f64> } : () -> tensor<f64>
    %149 = "stablehlo.multiply"(%143, %148) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %150 = "stablehlo.constant"() { value = dense<0.16666666666666666> : tensor<f64> } : () -> tensor<f64>
    %151 = "stablehlo.multiply"(%144, %150) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %152 = "stablehlo.collective_permute"(%145) { source_target_pairs = dense<[[0, 1], [1, 2], [2, 0]]> : tensor<3x2xi64> } : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %154, %155, %156 = "stablehlo.all_reduce"(%147, %149, %151) ({
      ^computation(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %153 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%153) : (tensor<f64>) -> ()
    }) { replica_groups = dense<[[0, 1, 2]]> : tensor<1x3xi64> } : (tensor<f64>, tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<f64>)
    "stablehlo.return"(%154, %141, %152, %155, %156) : (tensor<f64>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
