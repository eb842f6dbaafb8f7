module @siglip_sigmoid_loss {
  func.func @main(%img: tensor<4x3xf32>, %txt: tensor<6x3xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>, %img_labels: tensor<4xi64>, %txt_labels: tensor<6xi64>) -> (tensor<f64>, tensor<4x3xf32>, tensor<6x3xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0.25> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.multiply"(%0, %1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %3 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 4, 3>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<4x3xf32>
    %4 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 4>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<4xi64>
    %5 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %6 = "stablehlo.broadcast_in_dim"(%4) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %7 = "stablehlo.compare"(%5, %6) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %8 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %9 = "stablehlo.broadcast_in_dim"(%8) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %10 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %11 = "stablehlo.broadcast_in_dim"(%10) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %12 = "stablehlo.dot_general"(%img, %3) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %13 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %14 = "stablehlo.multiply"(%12, %13) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %15 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %16 = "stablehlo.add"(%14, %15) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %17 = "stablehlo.abs"(%16) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %18 = "stablehlo.negate"(%17) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %19 = "stablehlo.exponential"(%18) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %20 = "stablehlo.negate"(%16) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %21 = "stablehlo.select"(%7, %20, %16) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %22 = "stablehlo.maximum"(%21, %9) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %23 = "stablehlo.log_plus_one"(%19) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %24 = "stablehlo.add"(%22, %23) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %25 = "stablehlo.add"(%11, %19) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %26 = "stablehlo.divide"(%11, %25) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %27 = "stablehlo.compare"(%16, %9) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %28 = "stablehlo.multiply"(%19, %26) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %29 = "stablehlo.select"(%27, %26, %28) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %30 = "stablehlo.convert"(%7) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %31 = "stablehlo.subtract"(%29, %30) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %32 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %33 = "stablehlo.multiply"(%31, %32) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %34 = "stablehlo.dot_general"(%33, %3) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %35 = "stablehlo.dot_general"(%33, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %36 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %38 = "stablehlo.reduce"(%24, %36) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %39 = "stablehlo.convert"(%38) : (tensor<4xf32>) -> tensor<4xf64>
    %40 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %42 = "stablehlo.reduce"(%39, %40) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %43 = "stablehlo.multiply"(%31, %14) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %44 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %45 = "stablehlo.reduce"(%43, %44) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %46 = "stablehlo.convert"(%45) : (tensor<4xf32>) -> tensor<4xf64>
    %47 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %48 = "stablehlo.reduce"(%46, %47) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %49 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %50 = "stablehlo.reduce"(%31, %49) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %51 = "stablehlo.convert"(%50) : (tensor<4xf32>) -> tensor<4xf64>
    %52 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %53 = "stablehlo.reduce"(%51, %52) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %54 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 6, 3>,
      start_indices = array<i64: 4, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<6x3xf32>) -> tensor<2x3xf32>
    %55 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 6>,
      start_indices = array<i64: 4>,
      strides = array<i64: 1>
    } : (tensor<6xi64>) -> tensor<2xi64>
    %56 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %57 = "stablehlo.pad"(%54, %56) {
      edge_padding_high = array<i64: 2, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    %58 = "stablehlo.constant"() { value = dense<0> : tensor<i64> } : () -> tensor<i64>
    %59 = "stablehlo.pad"(%55, %58) {
      edge_padding_high = array<i64: 2>,
      edge_padding_low = array<i64: 0>,
      interior_padding = array<i64: 0>
    } : (tensor<2xi64>, tensor<i64>) -> tensor<4xi64>
    %60 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<4x4xi32>
    %61 = "stablehlo.constant"() { value = dense<2> : tensor<i32> } : () -> tensor<i32>
    %62 = "stablehlo.broadcast_in_dim"(%61) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> tensor<4x4xi32>
    %63 = "stablehlo.compare"(%60, %62) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction LT>
    } : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi1>
    %64 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %65 = "stablehlo.broadcast_in_dim"(%59) { broadcast_dimensions = array<i64: 1> } : (tensor<4xi64>) -> tensor<4x4xi64>
    %66 = "stablehlo.compare"(%64, %65) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<4x4xi64>, tensor<4x4xi64>) -> tensor<4x4xi1>
    %67 = "stablehlo.and"(%66, %63) : (tensor<4x4xi1>, tensor<4x4xi1>) -> tensor<4x4xi1>
    %68 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %69 = "stablehlo.broadcast_in_dim"(%68) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %70 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %71 = "stablehlo.broadcast_in_dim"(%70) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %72 = "stablehlo.dot_general"(%img, %57) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
    %73 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %74 = "stablehlo.multiply"(%72, %73) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %75 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %76 = "stablehlo.add"(%74, %75) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %77 = "stablehlo.abs"(%76) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %78 = "stablehlo.negate"(%77) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %79 = "stablehlo.exponential"(%78) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %80 = "stablehlo.negate"(%76) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %81 = "stablehlo.select"(%67, %80, %76) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %82 = "stablehlo.maximum"(%81, %69) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %83 = "stablehlo.log_plus_one"(%79) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %84 = "stablehlo.add"(%82, %83) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %85 = "stablehlo.add"(%71, %79) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %86 = "stablehlo.divide"(%71, %85) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %87 = "stablehlo.compare"(%76, %69) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %88 = "stablehlo.multiply"(%79, %86) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %89 = "stablehlo.select"(%87, %86, %88) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %90 = "stablehlo.convert"(%67) : (tensor<4x4xi1>) -> tensor<4x4xf32>
    %91 = "stablehlo.subtract"(%89, %90) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %92 = "stablehlo.select"(%63, %84, %69) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %93 = "stablehlo.select"(%63, %91, %69) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %94 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %95 = "stablehlo.multiply"(%93, %94) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %96 = "stablehlo.dot_general"(%95, %57) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %97 = "stablehlo.dot_general"(%95, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %98 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %99 = "stablehlo.reduce"(%92, %98) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %100 = "stablehlo.convert"(%99) : (tensor<4xf32>) -> tensor<4xf64>
    %101 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %102 = "stablehlo.reduce"(%100, %101) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %103 = "stablehlo.multiply"(%93, %74) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %104 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %105 = "stablehlo.reduce"(%103, %104) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %106 = "stablehlo.convert"(%105) : (tensor<4xf32>) -> tensor<4xf64>
    %107 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %108 = "stablehlo.reduce"(%106, %107) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %109 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %110 = "stablehlo.reduce"(%93, %109) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %111 = "stablehlo.convert"(%110) : (tensor<4xf32>) -> tensor<4xf64>
    %112 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %113 = "stablehlo.reduce"(%111, %112) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf64>, tensor<f64>) -> tensor<f64>
    %114 = "stablehlo.add"(%34, %96) : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %115 = "stablehlo.add"(%42, %102) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %116 = "stablehlo.add"(%48, %108) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %117 = "stablehlo.add"(%53, %113) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %118 = "stablehlo.concatenate"(%35, %97) { dimension = 0 : i64 } : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %119 = "stablehlo.slice"(%118) {
      limit_indices = array<i64: 6, 3>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<8x3xf32>) -> tensor<6x3xf32>
    %120 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %121 = "stablehlo.multiply"(%115, %120) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %122 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %123 = "stablehlo.multiply"(%116, %122) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %124 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %125 = "stablehlo.multiply"(%117, %124) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    "stablehlo.return"(%121, %114, %119, %123, %125) : (tensor<f64>, tensor<4x3xf32>, tensor<6x3xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
