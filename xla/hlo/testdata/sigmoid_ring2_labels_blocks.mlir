module @siglip_sigmoid_loss_ring attributes {stablehlo.num_replicas = 2} {
  func.func @main(%img: tensor<2x2xf32>, %txt: tensor<3x2xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>, %img_labels: tensor<2xi64>, %txt_labels: tensor<3xi64>) -> (tensor<f64>, tensor<2x2xf32>, tensor<3x2xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0.25> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.multiply"(%0, %1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %3 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<3x2xf32>) -> tensor<2x2xf32>
    %4 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 2>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<3xi64>) -> tensor<2xi64>
    %5 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %6 = "stablehlo.broadcast_in_dim"(%4) { broadcast_dimensions = array<i64: 1> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %7 = "stablehlo.compare"(%5, %6) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi1>
    %8 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %9 = "stablehlo.broadcast_in_dim"(%8) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %10 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %11 = "stablehlo.broadcast_in_dim"(%10) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %12 = "stablehlo.dot_general"(%img, %3) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %13 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %14 = "stablehlo.multiply"(%12, %13) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %15 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %16 = "stablehlo.add"(%14, %15) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %17 = "stablehlo.abs"(%16) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %18 = "stablehlo.negate"(%17) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %19 = "stablehlo.exponential"(%18) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %20 = "stablehlo.negate"(%16) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %21 = "stablehlo.select"(%7, %20, %16) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %22 = "stablehlo.maximum"(%21, %9) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %23 = "stablehlo.log_plus_one"(%19) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %24 = "stablehlo.add"(%22, %23) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %25 = "stablehlo.add"(%11, %19) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %26 = "stablehlo.divide"(%11, %25) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %27 = "stablehlo.compare"(%16, %9) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %28 = "stablehlo.multiply"(%19, %26) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %29 = "stablehlo.select"(%27, %26, %28) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %30 = "stablehlo.convert"(%7) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %31 = "stablehlo.subtract"(%29, %30) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %32 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %33 = "stablehlo.multiply"(%31, %32) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %34 = "stablehlo.dot_general"(%33, %3) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %35 = "stablehlo.dot_general"(%33, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %36 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %38 = "stablehlo.reduce"(%24, %36) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %39 = "stablehlo.convert"(%38) : (tensor<2xf32>) -> tensor<2xf64>
    %40 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %42 = "stablehlo.reduce"(%39, %40) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %43 = "stablehlo.multiply"(%31, %14) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %44 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %45 = "stablehlo.reduce"(%43, %44) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %46 = "stablehlo.convert"(%45) : (tensor<2xf32>) -> tensor<2xf64>
    %47 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %48 = "stablehlo.reduce"(%46, %47) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %49 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %50 = "stablehlo.reduce"(%31, %49) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %51 = "stablehlo.convert"(%50) : (tensor<2xf32>) -> tensor<2xf64>
    %52 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %53 = "stablehlo.reduce"(%51, %52) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %54 = "stablehlo.slice"(%txt) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<3x2xf32>) -> tensor<1x2xf32>
    %55 = "stablehlo.slice"(%txt_labels) {
      limit_indices = array<i64: 3>,
      start_indices = array<i64: 2>,
      strides = array<i64: 1>
    } : (tensor<3xi64>) -> tensor<1xi64>
    %56 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %57 = "stablehlo.pad"(%54, %56) {
      edge_padding_high = array<i64: 1, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<1x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %58 = "stablehlo.constant"() { value = dense<0> : tensor<i64> } : () -> tensor<i64>
    %59 = "stablehlo.pad"(%55, %58) {
      edge_padding_high = array<i64: 1>,
      edge_padding_low = array<i64: 0>,
      interior_padding = array<i64: 0>
    } : (tensor<1xi64>, tensor<i64>) -> tensor<2xi64>
    %60 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<2x2xi32>
    %61 = "stablehlo.constant"() { value = dense<1> : tensor<i32> } : () -> tensor<i32>
    %62 = "stablehlo.broadcast_in_dim"(%61) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> tensor<2x2xi32>
    %63 = "stablehlo.compare"(%60, %62) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction LT>
    } : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi1>
    %64 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %65 = "stablehlo.broadcast_in_dim"(%59) { broadcast_dimensions = array<i64: 1> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %66 = "stablehlo.compare"(%64, %65) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi1>
    %67 = "stablehlo.and"(%66, %63) : (tensor<2x2xi1>, tensor<2x2xi1>) -> tensor<2x2xi1>
    %68 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %69 = "stablehlo.broadcast_in_dim"(%68) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %70 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %71 = "stablehlo.broadcast_in_dim"(%70) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %72 = "stablehlo.dot_general"(%img, %57) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %73 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %74 = "stablehlo.multiply"(%72, %73) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %75 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %76 = "stablehlo.add"(%74, %75) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %77 = "stablehlo.abs"(%76) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %78 = "stablehlo.negate"(%77) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %79 = "stablehlo.exponential"(%78) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %80 = "stablehlo.negate"(%76) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %81 = "stablehlo.select"(%67, %80, %76) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %82 = "stablehlo.maximum"(%81, %69) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %83 = "stablehlo.log_plus_one"(%79) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %84 = "stablehlo.add"(%82, %83) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %85 = "stablehlo.add"(%71, %79) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %86 = "stablehlo.divide"(%71, %85) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %87 = "stablehlo.compare"(%76, %69) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %88 = "stablehlo.multiply"(%79, %86) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %89 = "stablehlo.select"(%87, %86, %88) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %90 = "stablehlo.convert"(%67) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %91 = "stablehlo.subtract"(%89, %90) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %92 = "stablehlo.select"(%63, %84, %69) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %93 = "stablehlo.select"(%63, %91, %69) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %94 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %95 = "stablehlo.multiply"(%93, %94) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %96 = "stablehlo.dot_general"(%95, %57) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %97 = "stablehlo.dot_general"(%95, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %98 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %99 = "stablehlo.reduce"(%92, %98) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %100 = "stablehlo.convert"(%99) : (tensor<2xf32>) -> tensor<2xf64>
    %101 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %102 = "stablehlo.reduce"(%100, %101) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %103 = "stablehlo.multiply"(%93, %74) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %104 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %105 = "stablehlo.reduce"(%103, %104) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %106 = "stablehlo.convert"(%105) : (tensor<2xf32>) -> tensor<2xf64>
    %107 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %108 = "stablehlo.reduce"(%106, %107) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %109 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %110 = "stablehlo.reduce"(%93, %109) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %111 = "stablehlo.convert"(%110) : (tensor<2xf32>) -> tensor<2xf64>
    %112 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %113 = "stablehlo.reduce"(%111, %112) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %114 = "stablehlo.add"(%34, %96) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %115 = "stablehlo.add"(%42, %102) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %116 = "stablehlo.add"(%48, %108) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %117 = "stablehlo.add"(%53, %113) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %118 = "stablehlo.concatenate"(%35, %97) { dimension = 0 : i64 } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
    %119 = "stablehlo.slice"(%118) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<3x2xf32>
    %120 = "stablehlo.collective_permute"(%txt) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %121 = "stablehlo.collective_permute"(%txt_labels) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<3xi64>) -> tensor<3xi64>
    %122 = "stablehlo.collective_permute"(%119) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %123 = "stablehlo.slice"(%120) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<3x2xf32>) -> tensor<2x2xf32>
    %124 = "stablehlo.slice"(%121) {
      limit_indices = array<i64: 2>,
      start_indices = array<i64: 0>,
      strides = array<i64: 1>
    } : (tensor<3xi64>) -> tensor<2xi64>
    %125 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %126 = "stablehlo.broadcast_in_dim"(%124) { broadcast_dimensions = array<i64: 1> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %127 = "stablehlo.compare"(%125, %126) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi1>
    %128 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %129 = "stablehlo.broadcast_in_dim"(%128) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %130 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %131 = "stablehlo.broadcast_in_dim"(%130) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %132 = "stablehlo.dot_general"(%img, %123) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %133 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %134 = "stablehlo.multiply"(%132, %133) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %135 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %136 = "stablehlo.add"(%134, %135) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %137 = "stablehlo.abs"(%136) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %138 = "stablehlo.negate"(%137) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %139 = "stablehlo.exponential"(%138) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %140 = "stablehlo.negate"(%136) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %141 = "stablehlo.select"(%127, %140, %136) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %142 = "stablehlo.maximum"(%141, %129) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %143 = "stablehlo.log_plus_one"(%139) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %144 = "stablehlo.add"(%142, %143) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %145 = "stablehlo.add"(%131, %139) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %146 = "stablehlo.divide"(%131, %145) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %147 = "stablehlo.compare"(%136, %129) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %148 = "stablehlo.multiply"(%139, %146) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %149 = "stablehlo.select"(%147, %146, %148) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %150 = "stablehlo.convert"(%127) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %151 = "stablehlo.subtract"(%149, %150) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %152 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %153 = "stablehlo.multiply"(%151, %152) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %154 = "stablehlo.dot_general"(%153, %123) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %155 = "stablehlo.dot_general"(%153, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %156 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %157 = "stablehlo.reduce"(%144, %156) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %158 = "stablehlo.convert"(%157) : (tensor<2xf32>) -> tensor<2xf64>
    %159 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %160 = "stablehlo.reduce"(%158, %159) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %161 = "stablehlo.multiply"(%151, %134) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %162 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %163 = "stablehlo.reduce"(%161, %162) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %164 = "stablehlo.convert"(%163) : (tensor<2xf32>) -> tensor<2xf64>
    %165 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %166 = "stablehlo.reduce"(%164, %165) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %167 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %168 = "stablehlo.reduce"(%151, %167) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %169 = "stablehlo.convert"(%168) : (tensor<2xf32>) -> tensor<2xf64>
    %170 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %171 = "stablehlo.reduce"(%169, %170) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %172 = "stablehlo.add"(%114, %154) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %173 = "stablehlo.add"(%115, %160) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %174 = "stablehlo.add"(%116, %166) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %175 = "stablehlo.add"(%117, %171) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %176 = "stablehlo.slice"(%120) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<3x2xf32>) -> tensor<1x2xf32>
    %177 = "stablehlo.slice"(%121) {
      limit_indices = array<i64: 3>,
      start_indices = array<i64: 2>,
      strides = array<i64: 1>
    } : (tensor<3xi64>) -> tensor<1xi64>
    %178 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %179 = "stablehlo.pad"(%176, %178) {
      edge_padding_high = array<i64: 1, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<1x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %180 = "stablehlo.constant"() { value = dense<0> : tensor<i64> } : () -> tensor<i64>
    %181 = "stablehlo.pad"(%177, %180) {
      edge_padding_high = array<i64: 1>,
      edge_padding_low = array<i64: 0>,
      interior_padding = array<i64: 0>
    } : (tensor<1xi64>, tensor<i64>) -> tensor<2xi64>
    %182 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<2x2xi32>
    %183 = "stablehlo.constant"() { value = dense<1> : tensor<i32> } : () -> tensor<i32>
    %184 = "stablehlo.broadcast_in_dim"(%183) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> tensor<2x2xi32>
    %185 = "stablehlo.compare"(%182, %184) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction LT>
    } : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi1>
    %186 = "stablehlo.broadcast_in_dim"(%img_labels) { broadcast_dimensions = array<i64: 0> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %187 = "stablehlo.broadcast_in_dim"(%181) { broadcast_dimensions = array<i64: 1> } : (tensor<2xi64>) -> tensor<2x2xi64>
    %188 = "stablehlo.compare"(%186, %187) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi1>
    %189 = "stablehlo.and"(%188, %185) : (tensor<2x2xi1>, tensor<2x2xi1>) -> tensor<2x2xi1>
    %190 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %191 = "stablehlo.broadcast_in_dim"(%190) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %192 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %193 = "stablehlo.broadcast_in_dim"(%192) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %194 = "stablehlo.dot_general"(%img, %179) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %195 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %196 = "stablehlo.multiply"(%194, %195) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %197 = "stablehlo.broadcast_in_dim"(%bias) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %198 = "stablehlo.add"(%196, %197) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %199 = "stablehlo.abs"(%198) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %200 = "stablehlo.negate"(%199) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %201 = "stablehlo.exponential"(%200) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %202 = "stablehlo.negate"(%198) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %203 = "stablehlo.select"(%189, %202, %198) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %204 = "stablehlo.maximum"(%203, %191) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %205 = "stablehlo.log_plus_one"(%201) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %206 = "stablehlo.add"(%204, %205) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %207 = "stablehlo.add"(%193, %201) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %208 = "stablehlo.divide"(%193, %207) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %209 = "stablehlo.compare"(%198, %191) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GE>
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xi1>
    %210 = "stablehlo.multiply"(%201, %208) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %211 = "stablehlo.select"(%209, %208, %210) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %212 = "stablehlo.convert"(%189) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %213 = "stablehlo.subtract"(%211, %212) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %214 = "stablehlo.select"(%185, %206, %191) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %215 = "stablehlo.select"(%185, %213, %191) : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %216 = "stablehlo.broadcast_in_dim"(%2) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %217 = "stablehlo.multiply"(%215, %216) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %218 = "stablehlo.dot_general"(%217, %179) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %219 = "stablehlo.dot_general"(%217, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %220 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %221 = "stablehlo.reduce"(%214, %220) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %222 = "stablehlo.convert"(%221) : (tensor<2xf32>) -> tensor<2xf64>
    %223 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %224 = "stablehlo.reduce"(%222, %223) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %225 = "stablehlo.multiply"(%215, %196) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %226 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %227 = "stablehlo.reduce"(%225, %226) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %228 = "stablehlo.convert"(%227) : (tensor<2xf32>) -> tensor<2xf64>
    %229 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %230 = "stablehlo.reduce"(%228, %229) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %231 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %232 = "stablehlo.reduce"(%215, %231) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %37 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%37) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %233 = "stablehlo.convert"(%232) : (tensor<2xf32>) -> tensor<2xf64>
    %234 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %235 = "stablehlo.reduce"(%233, %234) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %41 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%41) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %236 = "stablehlo.add"(%172, %218) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %237 = "stablehlo.add"(%173, %224) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %238 = "stablehlo.add"(%174, %230) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %239 = "stablehlo.add"(%175, %235) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %240 = "stablehlo.concatenate"(%155, %219) { dimension = 0 : i64 } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
    %241 = "stablehlo.slice"(%240) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<3x2xf32>
    %242 = "stablehlo.add"(%122, %241) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %243 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %244 = "stablehlo.multiply"(%237, %243) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %245 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %246 = "stablehlo.multiply"(%238, %245) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %247 = "stablehlo.constant"() { value = dense<0.25> : tensor<f64> } : () -> tensor<f64>
    %248 = "stablehlo.multiply"(%239, %247) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %249 = "stablehlo.collective_permute"(%242) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %251, %252, %253 = "stablehlo.all_reduce"(%244, %246, %248) ({
      ^computation(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %250 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%250) : (tensor<f64>) -> ()
    }) { replica_groups = dense<[[0, 1]]> : tensor<1x2xi64> } : (tensor<f64>, tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<f64>)
    "stablehlo.return"(%251, %236, %249, %252, %253) : (tensor<f64>, tensor<2x2xf32>, tensor<3x2xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
